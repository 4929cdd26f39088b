import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, newNonce } from "@/lib/security/content-security-policy";
import { isSameOrigin } from "@/lib/auth/same-origin";

// Pages get a fresh nonce-based CSP per request (the API answers JSON and needs none).
// A server action is refused here unless it comes from our own pages: Next.js lets one with
// no Origin at all through, and every browser that runs our pages sends Origin or Sec-Fetch-Site.
export function proxy(request: NextRequest) {
  if (request.headers.has("next-action") && !isSameOrigin(request)) return NextResponse.json({ error: { code: "forbidden", message: "Cross-site request refused." } }, { status: 403 });
  const nonce = newNonce();
  const policy = contentSecurityPolicy(nonce, process.env.NODE_ENV === "development");
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  matcher: [{ source: "/((?!api/|_next/static|_next/image|favicon.ico|\\.well-known/).*)" }],
};
