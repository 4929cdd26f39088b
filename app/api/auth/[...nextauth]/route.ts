import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/next-auth";

// GET/POST /api/auth/* — NextAuth: magic links, OAuth callbacks, CSRF token, sign-out
async function handler(req: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(req as never, context as never, await authOptions());
}

export { handler as GET, handler as POST };
