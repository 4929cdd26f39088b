import { publishedJwks } from "@/lib/keys/signing-keys";
import { json, route } from "./handler";

// GET /.well-known/jwks.json — public; decisions §17: clients may cache for 5 minutes.
export const getJwks = route(async ({ prisma }) =>
  json(await publishedJwks(prisma), 200, { "Cache-Control": "public, max-age=300" }),
);
