import { ApiError } from "@/lib/api/errors";
import { json, route } from "@/lib/api/handler";
import { env } from "@/lib/env";
import { handleSlackInteraction, verifySlackSignature } from "./slack-interactions";

// POST /api/slack/interactions — Slack signs the raw form body; nothing is read before it is verified.
export const postSlackInteraction = route(async ({ req, prisma }) => {
  const secret = env().SLACK_SIGNING_SECRET;
  if (!secret) throw new ApiError("not_found", "Slack interactivity is off: set SLACK_SIGNING_SECRET.");
  const rawBody = await req.text();
  verifySlackSignature({ rawBody, timestamp: req.headers.get("x-slack-request-timestamp"), signature: req.headers.get("x-slack-signature"), secret });
  return json(await handleSlackInteraction(prisma, rawBody));
});
