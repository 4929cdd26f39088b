import type { PrismaClient } from "@/lib/db";
import type { Command } from "./commands/command";

// Operator commands. The CLI runs them on the database directly (embedded or PostgreSQL).
// A CLI process runs one command, so each group of commands loads only when one of its own
// runs: loading them all (the policy engine, YAML, CEL, argon2, webhooks, email, metrics) cost
// every command 0.15-0.25 s of CPU (issue 18).
const tenants = () => import("./commands/tenants");
const policies = () => import("./commands/policies");
const reviews = () => import("./commands/reviews");
const ledger = () => import("./commands/ledger");
const members = () => import("./commands/members");
const notifications = () => import("./commands/notifications");
const operations = () => import("./commands/operations");

/** The group of each command, by the first part of its name. */
const GROUPS = {
  tenant: tenants, key: tenants,
  policy: policies,
  review: reviews, grant: reviews,
  ledger, witness: ledger,
  member: members,
  notify: notifications, webhook: notifications,
  "signing-key": operations, db: operations, jobs: operations,
};

// Distributes over the groups: the names of every group's commands.
type NamesIn<G> = G extends () => Promise<{ COMMANDS: infer C }> ? keyof C & string : never;
export type CommandName = NamesIn<(typeof GROUPS)[keyof typeof GROUPS]>;

export async function executeCommand(prisma: PrismaClient, name: CommandName, input: unknown): Promise<unknown> {
  const prefix = name.split(".")[0]!;
  const group = Object.hasOwn(GROUPS, prefix) ? GROUPS[prefix as keyof typeof GROUPS] : undefined;
  const commands = group && ((await group()).COMMANDS as Record<string, Command>);
  const found = commands && Object.hasOwn(commands, name) ? commands[name] : undefined;
  // Names come typed from the CLI, untyped from the test sidecars.
  if (!found) throw new Error(`No operator command ${JSON.stringify(name)}`);
  return found.run(prisma, found.input.parse(input));
}
