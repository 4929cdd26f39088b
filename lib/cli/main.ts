import fs from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { DataDirLockedError } from "@/lib/db/data-dir-lock";
import type { CommandName } from "@/lib/admin/commands";
import { API_KEY_SCOPES } from "@/lib/auth/scopes";
import { CommandError, runCommand } from "./run-command";
import { verifyBundleCommand } from "./verify-bundle";
import { verifyLogCommand } from "./verify-log";
import { verifyTokenCommand } from "./verify-token";

type Print = (result: unknown) => string;

/** Adds `--json` and runs the command, printing its result one way or the other. */
function action(cmd: Command, name: CommandName, toInput: (...args: never[]) => unknown, human: Print) {
  return cmd.addOption(new Option("--json", "print the result as JSON")).action(async (...args: unknown[]) => {
    const options = args.at(-2) as { json?: boolean };
    const result = await runCommand(name, (toInput as (...a: unknown[]) => unknown)(...args));
    process.stdout.write(`${options.json ? JSON.stringify(result, null, 2) : human(result)}\n`);
  });
}

const table = (rows: Record<string, unknown>[]) =>
  rows.length === 0 ? "(none)" : rows.map((row) => Object.values(row).map((v) => (v instanceof Date ? v.toISOString() : String(v ?? "-"))).join("\t")).join("\n");

export function buildProgram(): Command {
  const program = new Command("ledgix")
    .description("Operate a Ledgix vault. Uses DATABASE_URL, else the embedded database in LEDGIX_DATA_DIR (default ./.ledgix).")
    .showHelpAfterError()
    .exitOverride();

  const tenant = program.command("tenant").description("tenants");
  action(tenant.command("create").description("create a tenant; prints its id").argument("<name>"), "tenant.create",
    (name: string) => ({ name }), (r) => (r as { id: string }).id);
  action(tenant.command("settings").description("change a tenant's settings; prints them").argument("<name|id>")
    .addOption(new Option("--minimum-confidence <bucket>", "lowest confidence approved without a human").choices(["none", "low", "medium", "high", "extra_high"]))
    .option("--token-ttl <seconds>", "lifetime of A-JWTs (30-3600)")
    .addOption(new Option("--ledger-canonical-version <n>", "ledger event layout (1 is verifiable by both public SDKs)").choices(["1", "2", "3"]))
    .option("--token-max-per-approval <n>", "tokens one approval may yield, replacements for late polls included (default 1)")
    .option("--token-issue-window <seconds>", "no token is issued later than this after the decision (default 300)")
    .option("--api-key-requests-per-minute <n>", "per-key request quota; 0 lifts it (default none)"),
  "tenant.update", (tenant: string, opts: {
    minimumConfidence?: string; tokenTtl?: string; ledgerCanonicalVersion?: string;
    tokenMaxPerApproval?: string; tokenIssueWindow?: string; apiKeyRequestsPerMinute?: string;
  }) => ({
    tenant, minimumConfidenceBucket: opts.minimumConfidence, tokenTtlSeconds: opts.tokenTtl, ledgerCanonicalVersion: opts.ledgerCanonicalVersion,
    tokenMaxPerApproval: opts.tokenMaxPerApproval, tokenIssueWindowSeconds: opts.tokenIssueWindow, apiKeyRequestsPerMinute: opts.apiKeyRequestsPerMinute,
  }), (r) => Object.entries(r as Record<string, unknown>).map(([k, v]) => `${k}\t${v}`).join("\n"));
  action(tenant.command("list").description("list tenants"), "tenant.list", () => ({}), (r) => table(r as Record<string, unknown>[]));

  const key = program.command("key").description("API keys");
  action(key.command("create").description("create an API key; prints it alone, once (only its hash is stored)")
    .requiredOption("--tenant <name|id>", "the tenant").option("--name <label>", "a label", "default")
    .addOption(new Option("--scope <scope...>", "what the key may do; repeat for several (default: clearance and ledger)").choices(API_KEY_SCOPES)),
  "key.create", (opts: { tenant: string; name: string; scope?: string[] }) => ({ tenant: opts.tenant, name: opts.name, scopes: opts.scope }),
  (r) => (r as { key: string }).key);
  action(key.command("list").description("list a tenant's API keys").requiredOption("--tenant <name|id>", "the tenant"),
    "key.list", (opts: { tenant: string }) => opts, (r) => table(r as Record<string, unknown>[]));
  action(key.command("revoke").description("revoke an API key").argument("<id>"), "key.revoke",
    (id: string) => ({ id }), (r) => `revoked ${(r as { id: string }).id}`);

  const policy = program.command("policy").description("policies");
  action(policy.command("apply").description("upload a YAML or JSON policy as its new active version; prints the version id and content hash")
    .requiredOption("--tenant <name|id>", "the tenant").argument("<file>", "policy document (.yaml, .yml or .json)"),
  "policy.apply", (file: string, opts: { tenant: string }) => ({ tenant: opts.tenant, source: fs.readFileSync(file, "utf8") }),
  (r) => { const v = r as { versionId: string; contentHash: string }; return `${v.versionId} ${v.contentHash}`; });

  const review = program.command("review").description("pending reviews");
  action(review.command("decide").description("approve or deny a pending clearance request").argument("<request_id>")
    .addOption(new Option("--approve", "approve it").conflicts("deny"))
    .addOption(new Option("--deny", "deny it").conflicts("approve"))
    .option("--reason <text>", "why (recorded with the decision)")
    .option("--operator <name>", "who decides", process.env.USER ?? "operator"),
  "review.decide", (requestId: string, opts: { approve?: boolean; deny?: boolean; reason?: string; operator: string }) => {
    if (!opts.approve && !opts.deny) throw new CommandError("invalid_request", "Pass --approve or --deny.");
    return { requestId, approve: Boolean(opts.approve), reason: opts.reason, operator: opts.operator };
  }, (r) => { const d = r as { requestId: string; status: string }; return `${d.requestId} ${d.status}`; });

  action(program.command("signing-key").description("signing keys").command("rotate")
    .description("retire the active A-JWT signing key and create its successor (the old key stays in the JWKS until its tokens expire)")
    .addOption(new Option("--purpose <purpose>", "which key").choices(["token", "ledger"]).default("token")),
  "signing-key.rotate", (opts: { purpose: string }) => opts, (r) => `active key ${(r as { id: string }).id}`);

  action(program.command("db").description("database").command("migrate").description("apply pending migrations"),
    "db.status", () => ({}), (r) => (r as { migrations: { migration_name: string }[] }).migrations.map((m) => `applied ${m.migration_name}`).join("\n"));

  // The verifiers never open the database: they check what a vault serves, offline or over HTTP.
  program.command("verify").description("verify a proof bundle (GET /api/ledger/proof/bundle) offline; exit 1 names the failed check")
    .argument("<bundle.json>").option("--jwks <file>", "a JWKS file, for bundles that embed no keys")
    .option("--json", "print the result as JSON").action(verifyBundleCommand);
  program.command("verify-log").description("download a tenant's whole ledger and verify every entry, the checkpoint chain and the latest root")
    .addOption(new Option("--url <url>", "the vault's API base URL, e.g. http://localhost:3000/api").env("LEDGIX_VAULT_URL").makeOptionMandatory())
    .addOption(new Option("--api-key <key>", "the tenant's API key").env("LEDGIX_VAULT_API_KEY").makeOptionMandatory())
    .option("--progress", "show a progress bar even when stderr is not a terminal")
    .option("--json", "print the result as JSON").action(verifyLogCommand);
  program.command("verify-token").description("verify an A-JWT as a protected service must; exit 1 prints the rejection's reason code")
    .argument("<token>")
    .addOption(new Option("--url <url>", "the vault's API base URL (for its JWKS)").env("LEDGIX_VAULT_URL").makeOptionMandatory())
    .addOption(new Option("--issuer <iss>", "expected iss").env("LEDGIX_JWT_ISSUER").default("alcv-vault"))
    .addOption(new Option("--audience <aud>", "this service's audience").default("ledgix-sdk"))
    .option("--tool-args <file>", "JSON file of the arguments about to run, checked against tool_args_hash")
    .option("--consumed <file>", "file of jtis already used, one per line (single use)")
    .option("--at <unix seconds>", "verify as of this time instead of now")
    .option("--json", "print the verdict as JSON").action(verifyTokenCommand);

  return program;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CommandError || error instanceof DataDirLockedError) {
      process.stderr.write(`ledgix: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
