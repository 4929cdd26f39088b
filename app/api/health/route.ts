import { allowOnly } from "@/lib/api/fallbacks";
import { databaseUnavailable, json, route } from "@/lib/api/handler";
import { databaseAnswers } from "@/lib/db/probe";

// Load balancers poll this often and expect an answer within a few seconds.
const PROBE_TIMEOUT_MS = 2000;

// GET /api/health — 200 when the database answers, 503 `{ database: "unavailable" }` while it does not
export const GET = route(async ({ prisma }) => {
  if (await databaseAnswers(prisma, PROBE_TIMEOUT_MS)) return json({ status: "ok" });
  const { status, headers } = databaseUnavailable();
  return json({ status: "unavailable", database: "unavailable" }, status, headers);
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = allowOnly("GET");
