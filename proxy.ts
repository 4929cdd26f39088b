import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, newNonce } from "@/lib/security/content-security-policy";
import { isSameOrigin } from "@/lib/auth/same-origin";

// The review link's form, whose own secret is its authority, checks its origin itself (lib/review/link-route.ts).
const REVIEW_LINK_FORM = /^\/review\/[^/]+\/decide$/;

/** A server action: with its Next-Action header, or without JavaScript a form post (its `$ACTION_ID_…` field is in the body). */
const isAction = (request: NextRequest) =>
  request.method === "POST" && !REVIEW_LINK_FORM.test(request.nextUrl.pathname) &&
  (request.headers.has("next-action") || /^(multipart\/form-data|application\/x-www-form-urlencoded)\b/i.test(request.headers.get("content-type") ?? ""));

// Pages get a fresh nonce-based CSP per request (the API answers JSON and needs none).
// A server action is refused here unless it comes from our own pages. Next.js lets one with no
// Origin at all through; every browser that runs our pages sends Origin or Sec-Fetch-Site.
export function proxy(request: NextRequest) {
  const action = isAction(request);
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
