import { z } from "zod";
import { json, route } from "@/lib/api/handler";
import { parseQuery } from "@/lib/api/query";
import { authorize } from "@/lib/auth/session";
import { proofBundle } from "@/lib/ledger/read-ledger";

export const dynamic = "force-dynamic";

// GET /api/dashboard/ledger/bundle?request_id= — a decision's proof bundle as a file for `ledgix verify`
export const GET = route(async ({ prisma, req }) => {
  const member = await authorize("view");
  const { request_id } = parseQuery(req, z.object({ request_id: z.string().regex(/^req_[0-9a-z]{26}$/) }));
  const bundle = await proofBundle(prisma, member.tenant.id, request_id);
  return json(bundle, 200, { "Content-Disposition": `attachment; filename="ledgix-bundle-${request_id}.json"` });
});
