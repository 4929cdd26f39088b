import { ndjson, route } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/body";
import { authorizeSameOrigin } from "@/lib/auth/session";
import { replay, replayBodySchema } from "@/lib/policy/replay";

export const dynamic = "force-dynamic";

// At most one progress line per this many requests: enough for a smooth bar, few bytes.
const PROGRESS_EVERY = 25;

// POST /api/dashboard/policies/replay — replays a version against recent history; streams
// `{ progress: { done, total } }` lines, then `{ result }` (the API's replay report).
export const POST = route(async ({ prisma, req }) => {
  const member = await authorizeSameOrigin(req, "managePolicies");
  const body = parseBody(await req.text(), replayBodySchema);
  const tenant = await prisma.tenant.findUniqueOrThrow({ where: { id: member.tenant.id } });
  return ndjson(async (send) => {
    const result = await replay(prisma, tenant, body, (done, total) => {
      if (done % PROGRESS_EVERY === 0 || done === total) send({ progress: { done, total } });
    });
    send({ result });
  });
});
