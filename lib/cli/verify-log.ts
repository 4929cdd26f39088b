import type { JsonWebKey } from "node:crypto";
import type { Checkpoint, LedgerEntry } from "@/sdk/typescript/src/ledger/types";
import { keysFromJwks, thenVerify, verifyLedger, verifyWitnessedNote, type Verification } from "@/sdk/typescript/src/ledger/verify";
import { progressBar, type Progress } from "./progress";
import { CommandError } from "./run-command";
import { failUnlessIntact, tallyChecks, tallyLines, verdictLine } from "./verification-report";
import { witnessPolicyOf, type WitnessOptions } from "./witness-policy";

export interface VerifyLogOptions extends WitnessOptions {
  /** The API base URL, e.g. http://localhost:3000/api. */
  url: string;
  apiKey: string;
  json?: boolean;
  progress?: boolean;
}

/** The most the listing endpoints return per page (§6.1). */
const PAGE = 500;

async function get(url: string, apiKey: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { "X-Vault-API-Key": apiKey }, signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    const { cause } = error as Error & { cause?: { code?: string; message?: string } };
    const why = cause?.code ?? cause?.message;
    throw new CommandError("unreachable", `cannot reach ${url}: ${(error as Error).message}${why ? ` (${why})` : ""}`);
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new CommandError(body.error?.code ?? "http_error", `${url} answered ${res.status}: ${body.error?.message ?? res.statusText}`);
  }
  return res;
}

async function getJson<T>(url: string, apiKey: string): Promise<T> {
  return (await (await get(url, apiKey)).json().catch(() => ({}))) as T;
}

/** Pages back from the newest items (`?before=<id of the oldest so far>`) until a short page. */
async function pageBack<T>(page: (before?: number) => Promise<T[]>, idOf: (item: T) => number, onPage: (all: T[], items: T[]) => void): Promise<T[]> {
  const all: T[] = [];
  for (let before: number | undefined; ; ) {
    const items = await page(before);
    all.push(...items);
    onPage(all, items);
    if (items.length < PAGE) return all;
    before = Math.min(...items.map(idOf));
  }
}

export interface DownloadedLedger {
  entries: LedgerEntry[];
  checkpoints: Checkpoint[];
  jwks: JsonWebKey[];
}

/**
 * The whole ledger of the API key's tenant. Checkpoints come first: entries listed later
 * include every leaf they cover, since leaves only ever get added.
 */
export async function downloadLedger(baseUrl: string, apiKey: string, progress: Progress): Promise<DownloadedLedger> {
  const base = baseUrl.replace(/\/+$/, "");
  const get = <T>(path: string) => getJson<T>(`${base}${path}`, apiKey);
  const query = (before?: number) => `limit=${PAGE}${before === undefined ? "" : `&before=${before}`}`;
  let latest: Checkpoint | undefined;
  const checkpoints = await pageBack(
    async (before) => (await get<{ checkpoints?: Checkpoint[] }>(`/ledger/checkpoints?${query(before)}`)).checkpoints ?? [],
    (c) => c.checkpoint_id,
    (all, items) => {
      // Each page is in chain order: the first page's last item is the newest.
      latest ??= items.at(-1);
      progress.update("checkpoints", all.length, latest?.checkpoint_id ?? 0);
    },
  );
  // Entries not yet in the tree make the total an estimate; the bar stops at 100 %.
  const entries = await pageBack(
    async (before) => (await get<{ entries?: LedgerEntry[] }>(`/ledger?${query(before)}`)).entries ?? [],
    (e) => e.seq,
    (all) => progress.update("entries", all.length, latest?.tree_size ?? 0),
  );
  const { keys } = await get<{ keys: JsonWebKey[] }>("/.well-known/jwks.json");
  progress.finish();
  return { entries, checkpoints, jwks: keys };
}

// As verifyLedger picks it: the highest id (a reduce, as a log may hold millions of checkpoints).
const latestOf = (checkpoints: readonly Checkpoint[]) =>
  checkpoints.reduce<Checkpoint | undefined>((a, c) => (a && a.checkpoint_id > c.checkpoint_id ? a : c), undefined);

/** Why a downloaded log does not cover leaves 0…size−1 exactly once. */
function coverageGap(entries: readonly LedgerEntry[], size: number): string {
  const counts = new Array<number>(size).fill(0);
  for (const { leaf_index } of entries) if (leaf_index != null && leaf_index < size) counts[leaf_index]!++;
  const missing = counts.flatMap((n, i) => (n === 0 ? [i] : []));
  const repeated = counts.flatMap((n, i) => (n > 1 ? [i] : []));
  const list = (indexes: number[]) => indexes.slice(0, 5).join(", ") + (indexes.length > 5 ? ", …" : "");
  const parts = [missing.length ? `no entry for leaf ${list(missing)}` : "", repeated.length ? `several entries for leaf ${list(repeated)}` : ""];
  return `the whole log was downloaded, yet it has ${parts.filter(Boolean).join(" and ")}`;
}

/**
 * verifyLedger, where a gap in the leaves is a failure: verifyLedger only notes one, since a
 * partial list is normal there, but a whole log must cover every leaf of its latest checkpoint.
 */
export function verifyWholeLog({ entries, checkpoints, jwks }: DownloadedLedger): Verification {
  const result = verifyLedger(entries, checkpoints, keysFromJwks(jwks));
  const gap = result.checks.find((c) => c.check === "root_coverage" && c.status === "skipped");
  if (!result.ok || !gap) return result;
  const detail = coverageGap(entries, latestOf(checkpoints)!.tree_size);
  return { ok: false, failed: "root_coverage", subject: gap.subject, detail, checks: result.checks.filter((c) => c !== gap) };
}

function summary({ entries, checkpoints }: DownloadedLedger) {
  const latest = latestOf(checkpoints);
  return {
    entries: entries.length,
    checkpoints: checkpoints.length,
    tree_size: latest?.tree_size ?? 0,
    root_hash: latest?.root_hash ?? "",
  };
}

// ledgix verify-log --url <base> --api-key <key> — downloads and verifies a tenant's whole ledger.
export async function verifyLogCommand(options: VerifyLogOptions): Promise<void> {
  const progress = progressBar(options.progress === true || process.stderr.isTTY === true);
  const policy = witnessPolicyOf(options);
  // Before the ledger, so the checkpoints downloaded next include the one the note states.
  const note = policy ? await (await get(`${options.url.replace(/\/+$/, "")}/ledger/checkpoint`, options.apiKey)).text() : "";
  const ledger = await downloadLedger(options.url, options.apiKey, progress);
  let result = verifyWholeLog(ledger);
  if (policy) result = thenVerify(result, () => verifyWitnessedNote(note, ledger.checkpoints, policy));
  const facts = summary(ledger);
  if (options.json) {
    const { checks, ...verdict } = result;
    process.stdout.write(`${JSON.stringify({ ...verdict, ...facts, checks: tallyChecks(checks) }, null, 2)}\n`);
  } else {
    const verdict = verdictLine(result, () =>
      `intact: ${facts.entries} entries, ${facts.checkpoints} checkpoints chained from genesis, tree size ${facts.tree_size}` +
      (facts.root_hash ? `, root ${facts.root_hash} recomputed over every leaf` : ""),
    );
    process.stdout.write(`${[...tallyLines(result), verdict].join("\n")}\n`);
  }
  failUnlessIntact(result);
}
