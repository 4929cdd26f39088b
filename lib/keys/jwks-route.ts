import { json, route } from "@/lib/api/handler";
import { publishedJwks } from "./signing-keys";

// GET /.well-known/jwks.json — public; decisions §17: clients may cache for 5 minutes.
export const getJwks = route(async ({ prisma }) =>
  json(await publishedJwks(prisma), 200, { "Cache-Control": "public, max-age=300" }),
);
