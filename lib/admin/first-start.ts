import type { PrismaClient } from "@/lib/db";

/** On an empty database, the exact commands that lead to a first clearance. */
export async function printFirstStartHelp(prisma: PrismaClient, port: number) {
  if ((await prisma.tenant.count()) > 0) return;
  console.log(`
No tenants yet. Get going in three commands (in another terminal, from this directory):

  npx ledgix tenant create acme
  npx ledgix key create --tenant acme --name dev          # prints the API key once
  npx ledgix policy apply --tenant acme examples/refund-policy.yaml

Then add the first owner and sign in to the dashboard at http://localhost:${port}/sign-in
(without --password-stdin it prints a one-time sign-in link instead):

  npx ledgix member add --tenant acme --email you@example.com --role owner --password-stdin

Then ask for clearance:

  curl -s http://localhost:${port}/api/clearance -H "X-Vault-API-Key: $LEDGIX_VAULT_API_KEY" \\
    -H 'Content-Type: application/json' \\
    -d '{"tool_name":"stripe_refund","tool_args":{"amount":45,"currency":"USD"},"context":{"policy_id":"refunds"}}'

SDKs: LEDGIX_VAULT_URL=http://localhost:${port}/api LEDGIX_VAULT_API_KEY=<the key>
`);
}
