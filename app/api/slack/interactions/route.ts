// POST /api/slack/interactions — a reviewer clicked Approve or Deny in a Slack message
import { allowOnly } from "@/lib/api/fallbacks";
export { postSlackInteraction as POST } from "@/lib/channels/routes";
export const { GET, PUT, PATCH, DELETE, OPTIONS } = allowOnly("POST");
