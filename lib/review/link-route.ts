import type { NextRequest } from "next/server";
import { ApiError } from "@/lib/api/errors";
import { CLIENT_ADDRESS_HEADER } from "@/lib/api/handler";
import { isSameOrigin } from "@/lib/auth/same-origin";
import { prisma } from "@/lib/db";
import { consume } from "@/lib/rate-limit/rate-limit";
import { parseEditedArgs } from "./edit-args";
import { redeemReviewLink, REVIEW_LINK_LIMIT } from "./review-links";

const plain = (status: number, text: string, headers: Record<string, string> = {}) =>
  new Response(text, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });

/**
 * Decides once through a reviewer's link, then shows the link's page again (303), which now
 * says what was recorded. A used, expired or already-decided link decides nothing. The token
 * in the form is the credential (no cookie is involved), so a form without an origin gains
 * nothing it did not already hold; a foreign origin is refused all the same.
 */
export async function postReviewLinkDecision(req: NextRequest, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  const { token } = await params;
  if (!isSameOrigin(req, { allowMissingOrigin: true })) return plain(403, "This form must be sent from the Ledgix review page.");
  const client = await prisma();
  const wait = await consume(client, REVIEW_LINK_LIMIT, req.headers.get(CLIENT_ADDRESS_HEADER) ?? "unknown");
  if (wait !== null) return plain(429, "Too many attempts; wait a few minutes.", { "Retry-After": String(Math.ceil(wait / 1000)) });
  const form = await req.formData().catch(() => null);
  const decision = form?.get("decision");
  if (decision !== "approve" && decision !== "deny") return plain(400, "Choose Approve or Deny.");
  const reason = String(form?.get("reason") ?? "").trim().slice(0, 500) || null;
  // The arguments the page showed, and (approving) the editor's text: unchanged text is no edit.
  const seen = String(form?.get("args_hash") ?? "");
  const edited = decision === "approve" ? String(form?.get("args") ?? "") : "";
  let problem = "";
  try {
    const seenArgsHash = /^[0-9a-f]{64}$/.test(seen) ? seen : undefined;
    const args = edited.trim() === "" ? undefined : parseEditedArgs(edited);
    await redeemReviewLink(client, token, { approve: decision === "approve", reason, args, seenArgsHash });
  } catch (error) {
    // The page says why (used, expired, decided, not valid, or the vote's rule); nothing was counted.
    if (!(error instanceof ApiError)) throw error;
    problem = `?problem=${error.code}`;
  }
  return new Response(null, { status: 303, headers: { location: `/review/${encodeURIComponent(token)}${problem}` } });
}
