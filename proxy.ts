import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, newNonce } from "@/lib/security/content-security-policy";
import { isSameOrigin } from "@/lib/auth/same-origin";

// The review link's form, whose own secret is its authority, checks its origin itself (lib/review/link-route.ts).
const REVIEW_LINK_FORM = /^\/review\/[^/]+\/decide$/;

// Pages get a fresh nonce-based CSP per request (the API answers JSON and needs none).
// A POST to a page is a server action (with a Next-Action header, or without JavaScript a
// `$ACTION_ID_…` form field): it is refused here unless it comes from our own pages. Next.js
// lets one with no Origin at all through; every browser that runs our pages sends Origin or Sec-Fetch-Site.
export function proxy(request: NextRequest) {
  const action = request.method === "POST" && !REVIEW_LINK_FORM.test(request.nextUrl.pathname);
  if (action && !isSameOrigin(request)) return NextResponse.json({ error: { code: "forbidden", message: "Cross-site request refused." } }, { status: 403 });
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
