import fs from "node:fs";
import path from "node:path";
import { Command, CommanderError, Option } from "commander";
import { EmbeddedDatabaseError } from "@/lib/db/embedded-server";
import { InvalidEnvError } from "@/lib/env";
import type { CommandName } from "@/lib/admin/commands";
import { API_KEY_SCOPES } from "@/lib/auth/scopes";
import { CommandError, runCommand } from "./run-command";
import { withWitnessOptions } from "./witness-policy";

type Print = (result: unknown) => string;

// bin/ledgix.mjs sets LEDGIX_APP_ROOT: this file also runs bundled, away from lib/.
const { version } = JSON.parse(fs.readFileSync(path.join(process.env.LEDGIX_APP_ROOT ?? process.cwd(), "package.json"), "utf8")) as { version: string };

/**
 * Adds `--json` and runs the command, printing its result one way or the other. `flags`
 * names the option behind each input field, so an invalid value is reported as typed.
 */
function action(cmd: Command, name: CommandName, toInput: (...args: never[]) => unknown, human: Print, flags: Record<string, string> = {}) {
  return cmd.addOption(new Option("--json", "print the result as JSON")).action(async (...args: unknown[]) => {
    const options = args.at(-2) as { json?: boolean };
    const result = await runCommand(name, (toInput as (...a: unknown[]) => unknown)(...args)).catch((error: unknown) => {
      const detail = error instanceof CommandError ? error.details?.find((d) => flags[d.path]) : undefined;
      throw detail ? new CommandError("invalid_request", `${flags[detail.path]}: ${detail.message}`) : error;
    });
    // A command that did what was asked but left something that will not work says so beside it.
    const { warning, ...rest } = (result ?? {}) as { warning?: string };
    if (warning) process.stderr.write(`ledgix: warning: ${warning}\n`);
    process.stdout.write(`${options.json ? JSON.stringify(result, null, 2) : human(warning === undefined ? result : rest)}\n`);
  });
}

/** An action whose module loads only when it runs: the verifiers and the export need none of the database commands, nor they them. */
const lazy = <A extends unknown[]>(load: () => Promise<(...args: A) => Promise<void>>) => async (...args: A) => (await load())(...args);

const cell = (value: unknown) =>
  value instanceof Date ? value.toISOString() : value !== null && typeof value === "object" ? JSON.stringify(value) : String(value ?? "-");
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Tab-separated rows under a header row of their field names. */
const table = (rows: Record<string, unknown>[]) =>
  rows.length === 0
    ? "(none)"
    : [Object.keys(rows[0]!).map(snake), ...rows.map((row) => Object.values(row).map(cell))].map((line) => line.join("\t")).join("\n");

/** "42s", "5m", "3h", "2d": how long ago. */
function age(since: Date | string, now = Date.now()) {
  const seconds = Math.max(0, Math.floor((now - new Date(since).getTime()) / 1000));
  const [value, unit] = seconds < 60 ? [seconds, "s"] : seconds < 3600 ? [seconds / 60, "m"] : seconds < 86_400 ? [seconds / 3600, "h"] : [seconds / 86_400, "d"];
  return `${Math.floor(value)}${unit}`;
}

/** A file's text, or one line naming the file. */
function readFileOrFail(file: string, what: string) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new CommandError("file_unreadable", `cannot read ${what} ${file}: ${reason}`);
  }
}

export function buildProgram(): Command {
  const program = new Command("ledgix")
    .description("Operate a Ledgix vault. Uses DATABASE_URL, else the embedded database in LEDGIX_DATA_DIR (default ./.ledgix).")
    .version(version, "-V, --version", "print the version")
    .showHelpAfterError()
    .exitOverride();

  const tenant = program.command("tenant").description("tenants");
  action(tenant.command("create").description("create a tenant; prints its id").argument("<name>"), "tenant.create",
    (name: string) => ({ name }), (r) => (r as { id: string }).id);
  action(tenant.command("settings").description("change a tenant's settings; prints them").argument("<name|id>")
    .addOption(new Option("--minimum-confidence <bucket>", "lowest confidence approved without a human").choices(["none", "low", "medium", "high", "extra_high"]))
    .option("--token-ttl <seconds>", "lifetime of A-JWTs (30-3600)")
    .addOption(new Option("--ledger-canonical-version <n>", "ledger event layout (1 is verifiable by both public SDKs)").choices(["1", "2", "3"]))
    .option("--token-max-per-approval <n>", "tokens one approval may yield, mints and replacements for late polls included (default 1)")
    .option("--token-issue-window <seconds>", "no token is issued later than this after the decision (default 300)")
    .option("--api-key-requests-per-minute <n>", "per-key request quota; 0 lifts it (default none)")
    .addOption(new Option("--four-eyes <on|off>", "refuse approvals of requests attributed to the reviewer (default on)").choices(["on", "off"]))
    .option("--review-timeout <seconds>", "a review nobody decides is denied (review_expired) after this; a rule's review_timeout overrides (default 900)")
    .option("--escalation-group <group>", "reviewer group told about reviews still pending part-way to their deadline; none turns it off")
    .option("--escalation-fraction <f>", "how far to the deadline (between 0 and 1, e.g. 0.5) escalation happens")
    .addOption(new Option("--public-tiles <on|off>", "serve the ledger's checkpoint and hash tiles (never entry bundles) without an API key (default off)").choices(["on", "off"]))
    .option("--witness-quorum <n>", "witness cosignatures a checkpoint needs before the checkpoint endpoints serve it; 0 serves the newest (default 0)"),
  "tenant.update", (tenant: string, opts: {
    minimumConfidence?: string; tokenTtl?: string; ledgerCanonicalVersion?: string;
    tokenMaxPerApproval?: string; tokenIssueWindow?: string; apiKeyRequestsPerMinute?: string;
    fourEyes?: string; reviewTimeout?: string; escalationGroup?: string; escalationFraction?: string;
    publicTiles?: string; witnessQuorum?: string;
  }) => ({
    tenant, minimumConfidenceBucket: opts.minimumConfidence, tokenTtlSeconds: opts.tokenTtl, ledgerCanonicalVersion: opts.ledgerCanonicalVersion,
    tokenMaxPerApproval: opts.tokenMaxPerApproval, tokenIssueWindowSeconds: opts.tokenIssueWindow, apiKeyRequestsPerMinute: opts.apiKeyRequestsPerMinute,
    reviewFourEyes: opts.fourEyes, reviewTimeoutSeconds: opts.reviewTimeout, reviewEscalationGroup: opts.escalationGroup, reviewEscalationFraction: opts.escalationFraction,
    ledgerPublicTiles: opts.publicTiles, witnessQuorum: opts.witnessQuorum,
  }), (r) => Object.entries(r as Record<string, unknown>).map(([k, v]) => `${k}\t${v}`).join("\n"),
  {
    minimumConfidenceBucket: "--minimum-confidence", tokenTtlSeconds: "--token-ttl", ledgerCanonicalVersion: "--ledger-canonical-version",
    tokenMaxPerApproval: "--token-max-per-approval", tokenIssueWindowSeconds: "--token-issue-window", apiKeyRequestsPerMinute: "--api-key-requests-per-minute",
    reviewTimeoutSeconds: "--review-timeout", reviewEscalationGroup: "--escalation-group", reviewEscalationFraction: "--escalation-fraction",
    witnessQuorum: "--witness-quorum",
  });
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
  "policy.apply", (file: string, opts: { tenant: string }) => ({ tenant: opts.tenant, source: readFileOrFail(file, "policy file") }),
  (r) => { const v = r as { versionId: string; contentHash: string }; return `${v.versionId} ${v.contentHash}`; }, { tenant: "--tenant" });
  action(policy.command("list").description("list a tenant's policies and their active versions").requiredOption("--tenant <name|id>", "the tenant"),
    "policy.list", (opts: { tenant: string }) => opts, (r) => table(r as Record<string, unknown>[]), { tenant: "--tenant" });
  action(policy.command("show").description("print the active version of a policy, as uploaded").argument("<slug>")
    .requiredOption("--tenant <name|id>", "the tenant"),
  "policy.show", (slug: string, opts: { tenant: string }) => ({ tenant: opts.tenant, slug }),
  (r) => { const p = r as { versionId: string; contentHash: string; source: string }; return `# ${p.versionId} ${p.contentHash}\n${p.source.trimEnd()}`; },
  { tenant: "--tenant" });

  const draftOrVersion = (opts: { policyFile?: string; policyVersion?: string }) => ({
    ...(opts.policyFile ? { policy: fs.readFileSync(opts.policyFile, "utf8") } : {}),
    ...(opts.policyVersion ? { policy_version_id: opts.policyVersion } : {}),
  });
  action(policy.command("versions").description("list a policy's versions, newest first (* marks the active one)")
    .requiredOption("--tenant <name|id>", "the tenant").argument("<policy_id>"),
  "policy.versions", (policyId: string, opts: { tenant: string }) => ({ tenant: opts.tenant, policy: policyId }),
  (r) => table((r as { versions: { id: string; content_hash: string; created_at: string; active: boolean }[] }).versions
    .map((v) => ({ active: v.active ? "*" : " ", id: v.id, hash: v.content_hash, created: v.created_at }))));
  action(policy.command("diff").description("what changed between two versions (rules and a unified diff)")
    .requiredOption("--tenant <name|id>", "the tenant").argument("<from_version>").argument("<to_version>"),
  "policy.diff", (from: string, to: string, opts: { tenant: string }) => ({ tenant: opts.tenant, from, to }),
  (r) => (r as { unified_diff: string }).unified_diff);
  action(policy.command("activate").description("make a stored version its policy's active one")
    .requiredOption("--tenant <name|id>", "the tenant").argument("<version_id>"),
  "policy.activate", (version: string, opts: { tenant: string }) => ({ tenant: opts.tenant, version }),
  (r) => { const a = r as { policy_id: string; active_version_id: string }; return `${a.policy_id} ${a.active_version_id}`; });
  action(policy.command("simulate").description("decide clearance requests (a JSON array file) under a draft or a version; stores nothing")
    .requiredOption("--tenant <name|id>", "the tenant").argument("<requests.json>")
    .option("--policy-file <file>", "a draft policy document").option("--policy-version <id>", "a stored version"),
  "policy.simulate", (file: string, opts: { tenant: string; policyFile?: string; policyVersion?: string }) => ({
    tenant: opts.tenant, body: { requests: JSON.parse(fs.readFileSync(file, "utf8")), ...draftOrVersion(opts) },
  }), (r) => table((r as { results: { status: string; reason_code: string | null; reason: string }[] }).results
    .map((x, i) => ({ i, status: x.status, code: x.reason_code, reason: x.reason }))));
  action(policy.command("replay").description("replay the last N recorded requests under a draft or a version; prints the agreement")
    .requiredOption("--tenant <name|id>", "the tenant").option("--last <n>", "how many requests", "500")
    .option("--policy-file <file>", "a draft policy document").option("--policy-version <id>", "a stored version"),
  "policy.replay", (opts: { tenant: string; last: string; policyFile?: string; policyVersion?: string }) => ({
    tenant: opts.tenant, body: { last: Number(opts.last), ...draftOrVersion(opts) },
  }), (r) => {
    const x = r as { replayed: number; agreed: number; human_decisions: { total: number; agreed: number }; judge_vs_human: { total: number; agreed: number }; changed: { request_id: string; was: string; would_be: string; reason_code: string | null }[] };
    return [`agreement ${x.agreed}/${x.replayed}`, `human decisions ${x.human_decisions.agreed}/${x.human_decisions.total}`,
      `judge vs human ${x.judge_vs_human.agreed}/${x.judge_vs_human.total}`, table(x.changed.map((c) => ({ id: c.request_id, was: c.was, would_be: c.would_be, code: c.reason_code })))].join("\n");
  });

  const review = program.command("review").description("pending reviews");
  action(review.command("list").description("list a tenant's requests waiting for a human, oldest first").requiredOption("--tenant <name|id>", "the tenant"),
    "review.list", (opts: { tenant: string }) => opts,
    (r) => table((r as { id: string; toolName: string; toolArgs: unknown; agentId: string; createdAt: string; reason: string }[])
      .map(({ id, toolName, toolArgs, agentId, createdAt, reason }) => ({ id, tool: toolName, args: toolArgs, agent: agentId, age: age(createdAt), reason }))),
    { tenant: "--tenant" });
  action(review.command("decide").description("approve or deny a pending clearance request").argument("<request_id>")
    .addOption(new Option("--approve", "approve it").conflicts("deny"))
    .addOption(new Option("--deny", "deny it").conflicts("approve"))
    .option("--reason <text>", "why (recorded with the decision)")
    .option("--as <email>", "vote as this member, under the review rules (quorum, four eyes, reviewer groups)")
    .option("--operator <name>", "without --as: the operator who decides alone (break-glass)", process.env.USER ?? "operator")
    .addOption(new Option("--grant <size>", "with --approve: also grant a standing approval of this size").choices(["exact_args", "tool_condition", "session"]))
    .option("--uses <n>", "exact_args: how many more calls it approves")
    .option("--minutes <t>", "how long the standing approval lasts")
    .option("--condition <cel>", "tool_condition: the CEL condition, e.g. 'args.amount <= 200'")
    .option("--all-tools", "session: cover every tool in the session")
    .option("--args <json>", "with --approve --as: approve these arguments instead (edit, then approve); the tool stays the same"),
  "review.decide", (requestId: string, opts: {
    approve?: boolean; deny?: boolean; reason?: string; operator: string; as?: string; grant?: string; uses?: string; minutes?: string; condition?: string; allTools?: boolean; args?: string;
  }) => {
    if (!opts.approve && !opts.deny) throw new CommandError("invalid_request", "Pass --approve or --deny.");
    const number = (value?: string) => (value === undefined ? undefined : Number(value));
    const grant = opts.grant
      ? { kind: opts.grant, uses: number(opts.uses), minutes: number(opts.minutes), condition: opts.condition, all_tools: opts.allTools }
      : undefined;
    return { requestId, approve: Boolean(opts.approve), reason: opts.reason, operator: opts.operator, as: opts.as, grant, args: opts.args };
  }, (r) => {
    const d = r as { requestId: string; status: string; grantId: string | null };
    return d.status === "pending_review" ? `${d.requestId} vote recorded; still pending_review` : [d.requestId, d.status, d.grantId].filter(Boolean).join(" ");
  }, { as: "--as", "grant.uses": "--uses", "grant.minutes": "--minutes", "grant.condition": "--condition" });

  const grant = program.command("grant").description("standing approvals");
  action(grant.command("list").description("list a tenant's live standing approvals, newest first").requiredOption("--tenant <name|id>", "the tenant"),
    "grant.list", (opts: { tenant: string }) => opts,
    (r) => table((r as { id: string; kind: string; toolName: string | null; agentId: string; condition: string | null; usesLeft: number | null; expiresAt: string; createdBy: string }[])
      .map(({ id, kind, toolName, agentId, condition, usesLeft, expiresAt, createdBy }) => ({ id, kind, tool: toolName ?? "*", agent: agentId, condition, usesLeft, expiresAt, createdBy }))),
    { tenant: "--tenant" });
  action(grant.command("revoke").description("revoke a standing approval at once").argument("<grant_id>")
    .requiredOption("--tenant <name|id>", "the tenant").option("--operator <name>", "who revokes", process.env.USER ?? "operator"),
  "grant.revoke", (id: string, opts: { tenant: string; operator: string }) => ({ id, tenant: opts.tenant, operator: opts.operator }),
  (r) => `revoked ${(r as { id: string }).id}`, { tenant: "--tenant" });

  action(program.command("ledger").description("the tenant's ledger").command("verifier-key")
    .description("print the C2SP verifier key that witnesses use to check the checkpoint notes (GET /api/ledger/checkpoint)")
    .requiredOption("--tenant <name|id>", "the tenant"),
  "ledger.verifier-key", (opts: { tenant: string }) => opts, (r) => (r as { verifierKey: string }).verifierKey);

  const witness = program.command("witness").description("transparency-log witnesses that cosign the tenant's checkpoints (C2SP tlog-witness)");
  action(witness.command("add").description("ask a witness to cosign every checkpoint; prints its id")
    .requiredOption("--tenant <name|id>", "the tenant").requiredOption("--url <url>", "the witness's submission prefix (checkpoints go to <url>/add-checkpoint)")
    .requiredOption("--vkey <key>", "the witness's verifier key <name>+<key id>+<base64 Ed25519 key>"),
  "witness.add", (opts: { tenant: string; url: string; vkey: string }) => ({ tenant: opts.tenant, url: opts.url, verifierKey: opts.vkey }),
  (r) => (r as { id: string }).id, { url: "--url", verifierKey: "--vkey" });
  action(witness.command("list").description("list a tenant's witnesses: state, last cosigned tree size, last error").requiredOption("--tenant <name|id>", "the tenant"),
    "witness.list", (opts: { tenant: string }) => opts, (r) => table(r as Record<string, unknown>[]));
  action(witness.command("remove").description("stop asking a witness").requiredOption("--tenant <name|id>", "the tenant").argument("<id>"),
    "witness.remove", (id: string, opts: { tenant: string }) => ({ tenant: opts.tenant, id }), () => "removed");

  const member = program.command("member").description("people who sign in to the dashboard");
  action(member.command("add").description("add a person to a tenant (or change their role); prints a one-time sign-in link unless --password-stdin")
    .requiredOption("--tenant <name|id>", "the tenant").requiredOption("--email <address>", "their email")
    .addOption(new Option("--role <role>", "what they may do").choices(["owner", "admin", "reviewer", "viewer"]).makeOptionMandatory())
    .option("--password-stdin", "read a password (12+ characters) from standard input"),
  "member.add", (opts: { tenant: string; email: string; role: string; passwordStdin?: boolean; password?: string }) => ({
    tenant: opts.tenant, email: opts.email, role: opts.role, password: opts.password,
  }), (r) => { const m = r as { email: string; role: string; signInLink?: string }; return m.signInLink ? `${m.email} ${m.role}\nOne-time sign-in link (24 h): ${m.signInLink}` : `${m.email} ${m.role}`; })
    // Read before the action so the password never appears in argv or the shell history.
    .hook("preAction", (cmd) => {
      if (cmd.opts().passwordStdin) cmd.setOptionValue("password", fs.readFileSync(0, "utf8").replace(/\r?\n$/, ""));
    });
  action(member.command("list").description("list a tenant's members").requiredOption("--tenant <name|id>", "the tenant"),
    "member.list", (opts: { tenant: string }) => opts, (r) => table(r as Record<string, unknown>[]));
  action(member.command("remove").description("remove a person from a tenant").requiredOption("--tenant <name|id>", "the tenant")
    .requiredOption("--email <address>", "their email"), "member.remove", (opts: { tenant: string; email: string }) => opts,
  (r) => `removed ${(r as { email: string }).email}`);

  action(program.command("notify").description("where the tenant's team is told about events (the dashboard's Notifications screen)").command("set")
    .description("set one event's Slack incoming webhook and email recipients (an empty value clears it)")
    .requiredOption("--tenant <name|id>", "the tenant")
    .addOption(new Option("--event <event>", "which event").choices(["review_requested", "review_decided", "request_denied"]).makeOptionMandatory())
    .option("--slack-url <url>", "Slack incoming-webhook URL", "").option("--email <addresses>", "comma-separated recipients", ""),
  "notify.set", (opts: { tenant: string; event: string; slackUrl: string; email: string }) => ({ tenant: opts.tenant, event: opts.event, slackWebhookUrl: opts.slackUrl, emailRecipients: opts.email }),
  (r) => { const n = r as { event: string; slack: boolean; emailRecipients: string[] }; return `${n.event}: slack ${n.slack ? "on" : "off"}, email ${n.emailRecipients.join(", ") || "none"}`; });

  const webhook = program.command("webhook").description("customer endpoints that receive signed events");
  action(webhook.command("add").description("register an endpoint; prints its signing secret once")
    .requiredOption("--tenant <name|id>", "the tenant").requiredOption("--url <url>", "where events are POSTed")
    .requiredOption("--event <event...>", "events to send: clearance.pending_review, clearance.approved, clearance.denied, review.expired, grant.created"),
  "webhook.add", (opts: { tenant: string; url: string; event: string[] }) => ({ tenant: opts.tenant, url: opts.url, events: opts.event }),
  (r) => { const w = r as { id: string; url: string; secret: string }; return `${w.id} ${w.url}\nSigning secret (shown once): ${w.secret}`; });
  action(webhook.command("list").description("list a tenant's endpoints").requiredOption("--tenant <name|id>", "the tenant"),
    "webhook.list", (opts: { tenant: string }) => opts, (r) => table(r as Record<string, unknown>[]));
  action(webhook.command("remove").description("remove an endpoint").requiredOption("--tenant <name|id>", "the tenant").argument("<id>"),
    "webhook.remove", (id: string, opts: { tenant: string }) => ({ tenant: opts.tenant, id }), (r) => `removed ${(r as { id: string }).id}`);
  action(webhook.command("deliveries").description("the delivery log: every email, Slack message and webhook, newest first").requiredOption("--tenant <name|id>", "the tenant"),
    "webhook.deliveries", (opts: { tenant: string }) => opts, (r) => table(r as Record<string, unknown>[]));
  action(webhook.command("resend").description("send a webhook delivery again now").requiredOption("--tenant <name|id>", "the tenant").argument("<delivery_id>"),
    "webhook.resend", (id: string, opts: { tenant: string }) => ({ tenant: opts.tenant, id }), (r) => `resending ${(r as { id: string }).id}`);
  const group = member.command("group").description("reviewer groups, which a policy rule's `reviewers` may require");
  action(group.command("create").description("create a reviewer group").argument("<name>").requiredOption("--tenant <name|id>", "the tenant"),
    "member.group.create", (name: string, opts: { tenant: string }) => ({ tenant: opts.tenant, name }), (r) => `created ${(r as { name: string }).name}`, { name: "<name>" });
  action(group.command("add").description("add a member to a reviewer group").argument("<name>").requiredOption("--tenant <name|id>", "the tenant")
    .requiredOption("--email <address>", "the member's email"),
  "member.group.add", (name: string, opts: { tenant: string; email: string }) => ({ tenant: opts.tenant, name, email: opts.email }),
  (r) => { const g = r as { group: string; email: string }; return `${g.email} in ${g.group}`; });
  action(group.command("remove").description("remove a member from a reviewer group").argument("<name>").requiredOption("--tenant <name|id>", "the tenant")
    .requiredOption("--email <address>", "the member's email"),
  "member.group.remove", (name: string, opts: { tenant: string; email: string }) => ({ tenant: opts.tenant, name, email: opts.email }),
  (r) => { const g = r as { group: string; email: string }; return `removed ${g.email} from ${g.group}`; });
  action(group.command("delete").description("delete a reviewer group (refused while an active rule names it)").argument("<name>").requiredOption("--tenant <name|id>", "the tenant"),
    "member.group.delete", (name: string, opts: { tenant: string }) => ({ tenant: opts.tenant, name }), (r) => `deleted ${(r as { group: string }).group}`);
  action(group.command("list").description("list a tenant's reviewer groups and their members").requiredOption("--tenant <name|id>", "the tenant"),
    "member.group.list", (opts: { tenant: string }) => opts,
    (r) => table((r as { name: string; members: string[] }[]).map(({ name, members }) => ({ name, members: members.join(",") }))));

  action(program.command("signing-key").description("signing keys").command("rotate")
    .description("retire the active A-JWT signing key and create its successor (the old key stays in the JWKS until its tokens expire)")
    .addOption(new Option("--purpose <purpose>", "which key").choices(["token", "ledger"]).default("token")),
  "signing-key.rotate", (opts: { purpose: string }) => opts, (r) => `active key ${(r as { id: string }).id}`);

  action(program.command("db").description("database").command("migrate").description("apply pending migrations"),
    "db.status", () => ({}), (r) => (r as { migrations: { migration_name: string }[] }).migrations.map((m) => `applied ${m.migration_name}`).join("\n"));

  const jobs = program.command("jobs").description("the durable job queue");
  action(jobs.command("list").description("list queued jobs (with --failed: those whose last attempt failed; they retry with backoff)")
    .option("--failed", "only failed jobs"),
  "jobs.list", (opts: { failed?: boolean }) => ({ failed: Boolean(opts.failed) }), (r) => table(r as Record<string, unknown>[]));
  action(jobs.command("retry").description("run a failed job again now, with fresh attempts").argument("<id>"),
    "jobs.retry", (id: string) => ({ id }), (r) => `retrying ${(r as { id: string }).id}`);

  program.command("audit").description("the audit stream for SIEMs (docs/audit-stream.md)").command("export")
    .description("write the audit events since a time to standard output, one OCSF JSON object per line, in the order the sinks get them")
    .requiredOption("--since <time>", "an RFC 3339 time, e.g. 2026-12-01T00:00:00Z")
    .addOption(new Option("--format <format>", "output format").choices(["jsonl"]).default("jsonl"))
    .action(lazy(async () => (await import("./audit-export")).auditExportCommand));

  // The verifiers never open the database: they check what a vault serves, offline or over HTTP.
  withWitnessOptions(program.command("verify").description("verify a proof bundle (GET /api/ledger/proof/bundle) offline; exit 1 names the failed check")
    .argument("<bundle.json>").option("--jwks <file>", "a JWKS file, for bundles that embed no keys"))
    .option("--json", "print the result as JSON").action(lazy(async () => (await import("./verify-bundle")).verifyBundleCommand));
  withWitnessOptions(program.command("verify-log").description("download a tenant's whole ledger and verify every entry, the checkpoint chain and the latest root")
    .addOption(new Option("--url <url>", "the vault's API base URL, e.g. http://localhost:3000/api").env("LEDGIX_VAULT_URL").makeOptionMandatory())
    .addOption(new Option("--api-key <key>", "the tenant's API key").env("LEDGIX_VAULT_API_KEY").makeOptionMandatory())
    .option("--progress", "show a progress bar even when stderr is not a terminal"))
    .option("--json", "print the result as JSON").action(lazy(async () => (await import("./verify-log")).verifyLogCommand));
  program.command("verify-token").description("verify an A-JWT as a protected service must; exit 1 prints the rejection's reason code")
    .argument("<token>")
    .addOption(new Option("--url <url>", "the vault's API base URL (for its JWKS)").env("LEDGIX_VAULT_URL").makeOptionMandatory())
    .addOption(new Option("--issuer <iss>", "expected iss").env("LEDGIX_JWT_ISSUER").default("alcv-vault"))
    .addOption(new Option("--audience <aud>", "this service's audience").default("ledgix-sdk"))
    .option("--tool-args <file>", "JSON file of the arguments about to run, checked against tool_args_hash")
    .option("--consumed <file>", "file of jtis already used, one per line (single use)")
    .option("--at <unix seconds>", "verify as of this time instead of now")
    .option("--json", "print the verdict as JSON").action(lazy(async () => (await import("./verify-token")).verifyTokenCommand));

  return program;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CommandError || error instanceof EmbeddedDatabaseError || error instanceof InvalidEnvError) {
      process.stderr.write(`ledgix: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
