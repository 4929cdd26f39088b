// GET /.well-known/jwks.json — keys that verify A-JWTs and ledger signatures
export { getJwks as GET } from "@/lib/keys/jwks-route";
