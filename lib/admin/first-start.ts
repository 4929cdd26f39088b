import type { PrismaClient } from "@/lib/db";

/** On an empty database, the exact commands that lead to a first clearance. */
export async function printFirstStartHelp(prisma: PrismaClient, port: number) {
  if ((await prisma.tenant.count()) > 0) return;
  console.log(`
No tenants yet. Get going in three commands (in another terminal, from this directory):

  npx ledgix tenant create acme
  export LEDGIX_VAULT_API_KEY=$(npx ledgix key create --tenant acme --name dev)   # the key is not printed again: keep this shell
  npx ledgix policy apply --tenant acme examples/refund-policy.yaml

Then ask for clearance (same terminal):

  curl -s http://localhost:${port}/api/clearance -H "X-Vault-API-Key: $LEDGIX_VAULT_API_KEY" \\
    -H 'Content-Type: application/json' \\
    -d '{"tool_name":"stripe_refund","tool_args":{"amount":45,"currency":"USD"},"context":{"policy_id":"refunds"}}'

SDKs: export LEDGIX_VAULT_URL=http://localhost:${port}/api (the key is already in LEDGIX_VAULT_API_KEY)
`);
}
