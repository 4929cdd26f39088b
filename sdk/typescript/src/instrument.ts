import { AsyncLocalStorage } from "node:async_hooks";
import { LedgixClient } from "./client";
import type { LedgixConfig } from "./config";
import { approvedArgsOf } from "./edited-call";
import { EditedArgsError } from "./errors";
import { findManifest, loadManifest, matchRule, parseManifest, type Manifest } from "./manifest";
import type { ClearanceResponse } from "./schemas";

interface CallScope {
  token: string | null;
  clearance: ClearanceResponse;
}

interface ContextScope {
  agentId?: string;
  sessionId?: string;
  context?: Record<string, unknown>;
}

const callStorage = new AsyncLocalStorage<CallScope>();
const contextStorage = new AsyncLocalStorage<ContextScope>();
let defaultClient: LedgixClient | null = null;

/** Sets the client the wrappers use (settings: argument, then LEDGIX_* variables, then defaults). */
export function configure(config: Partial<LedgixConfig> = {}): LedgixClient {
  defaultClient = new LedgixClient(config);
  return defaultClient;
}

const clientOf = (client?: LedgixClient) => client ?? (defaultClient ??= new LedgixClient());

/** Inside a wrapped tool: the A-JWT that cleared this call; null outside one. */
export const currentToken = (): string | null => callStorage.getStore()?.token ?? null;

/** Inside a wrapped tool: the clearance response of this call; null outside one. */
export const currentClearance = (): ClearanceResponse | null => callStorage.getStore()?.clearance ?? null;

/** Runs `fn` with per-call agent, session and context overrides for every wrapped tool it calls. */
export function withLedgixContext<T>(scope: ContextScope, fn: () => T): T {
  const outer = contextStorage.getStore() ?? {};
  return contextStorage.run({ ...outer, ...scope, context: { ...outer.context, ...scope.context } }, fn);
}

export interface ToolOptions {
  /** Tool name sent to the vault; default the function's name. */
  name?: string;
  /** Sent as `context.policy_id`. */
  policy?: string;
  context?: Record<string, unknown>;
  client?: LedgixClient;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value));

/** Simple identifier parameter names of a function, or null where they cannot be read (destructuring, defaults with calls…). */
export function parameterNames(fn: (...args: never[]) => unknown): string[] | null {
  const source = Function.prototype.toString.call(fn);
  const list = source.match(/^[^(]*\(([^)]*)\)/)?.[1] ?? source.match(/^(?:async\s+)?([\w$]+)\s*=>/)?.[1];
  if (list === undefined) return null;
  const names = list.split(",").map((part) => part.replace(/\/\*.*?\*\//g, "").split("=")[0]!.trim()).filter(Boolean);
  return names.every((name) => /^[A-Za-z_$][\w$]*$/.test(name)) ? names : null;
}

type CallShape = "none" | "object" | "named" | "list";

// How a call's arguments became its `tool_args`; an edited call is mapped back the same way.
function shapeOf(names: string[] | null, args: unknown[]): CallShape {
  if (args.length === 0) return "none";
  if (args.length === 1 && isPlainObject(args[0])) return "object";
  return names && names.length >= args.length ? "named" : "list";
}

/**
 * The `tool_args` of a call: one plain object is sent as it is; positional arguments
 * by parameter name where the names can be read, else as `{"args": [...]}`.
 */
export function toolArgsOf(fn: (...args: never[]) => unknown, args: unknown[]): Record<string, unknown> {
  const names = parameterNames(fn);
  switch (shapeOf(names, args)) {
    case "none":
      return {};
    case "object":
      return args[0] as Record<string, unknown>;
    case "named":
      return Object.fromEntries(args.map((value, i) => [names![i]!, value]));
    case "list":
      return { args };
  }
}

/**
 * The arguments to call `fn` with so that its `tool_args` are exactly `approved`, for a call
 * first made with `args` and edited by a reviewer: the one plain object replaced, positional
 * arguments placed by parameter name (a removed one is passed as `undefined`, JavaScript's
 * "not given"), `{"args": [...]}` spread. Throws EditedArgsError when that cannot be done.
 */
export function argumentsFor(fn: (...args: never[]) => unknown, args: unknown[], approved: Record<string, unknown>, requestId: string | null = null): unknown[] {
  const refuse = (why: string): never => {
    throw new EditedArgsError(`A reviewer edited the call (request ${requestId}), and ${why}; it does not run`, { requestId, reason: why });
  };
  const names = parameterNames(fn);
  const shape = shapeOf(names, args);
  if (shape === "object") return [approved];
  if (shape === "list") {
    const keys = Object.keys(approved);
    if (keys.length !== 1 || keys[0] !== "args" || !Array.isArray(approved.args)) refuse(`the approved arguments are not {"args": [...]} as asked`);
    return approved.args as unknown[];
  }
  const keys = Object.keys(approved);
  if (keys.length === 0) return [];
  if (!names) return refuse(`the function's parameter names cannot be read to pass ${keys.join(", ")}`);
  const unknown = keys.filter((key) => !names.includes(key));
  if (unknown.length) refuse(`${unknown.join(", ")} ${unknown.length === 1 ? "is not a parameter" : "are not parameters"} of the function`);
  const placed = names.map((name) => (Object.hasOwn(approved, name) ? approved[name] : undefined));
  while (placed.length && placed[placed.length - 1] === undefined && !Object.hasOwn(approved, names[placed.length - 1]!)) placed.pop();
  return placed;
}

/**
 * Asks the vault about one call and runs `run` only when it is approved, with
 * `currentToken()`/`currentClearance()` set; any refusal or failure throws before `run`.
 * `run` gets the arguments to run with: `toolArgs`, or the approved arguments when a reviewer
 * edited the call (`clearance.argsEdited`); it must run exactly those, or throw.
 * The framework adapters are built on this.
 */
export async function clearThenRun<T>(
  toolName: string,
  toolArgs: Record<string, unknown>,
  options: Omit<ToolOptions, "name">,
  run: (approvedArgs: Record<string, unknown>, clearance: ClearanceResponse) => T,
): Promise<Awaited<T>> {
  const scope = contextStorage.getStore() ?? {};
  const context = { ...options.context, ...scope.context, ...(options.policy ? { policy_id: options.policy } : {}) };
  const clearance = await clientOf(options.client).requestClearance({
    toolName,
    toolArgs,
    agentId: scope.agentId,
    sessionId: scope.sessionId,
    context,
  });
  const approved = approvedArgsOf(clearance, toolArgs);
  return callStorage.run({ token: clearance.token, clearance }, async (): Promise<Awaited<T>> => await run(approved, clearance));
}

type AnyFunction = (...args: never[]) => unknown;
type Cleared<F extends AnyFunction> = (...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>>;

/**
 * Wraps one function: every call first asks the vault for clearance and runs the
 * function only when approved (a denial throws ClearanceDeniedError and the function
 * never runs). Inside it, `currentToken()` and `currentClearance()` describe the call.
 * When a reviewer edited the call, the function runs with the approved arguments, mapped back
 * as `argumentsFor` says, or not at all.
 */
export function tool<F extends AnyFunction>(fn: F, options: ToolOptions = {}): Cleared<F> {
  const toolName = options.name ?? fn.name;
  if (!toolName) throw new TypeError("tool(): an anonymous function needs options.name");
  const wrapped = async function (this: unknown, ...args: Parameters<F>): Promise<Awaited<ReturnType<F>>> {
    const run = (approved: Record<string, unknown>, clearance: ClearanceResponse) =>
      fn.apply(this, (clearance.argsEdited ? argumentsFor(fn, args, approved, clearance.requestId) : args) as never);
    return (await clearThenRun(toolName, toolArgsOf(fn, args), options, run)) as Awaited<ReturnType<F>>;
  };
  Object.defineProperty(wrapped, "name", { value: fn.name });
  return wrapped;
}

/** `tool()` as a wrapper factory: `const refund = enforce({ name: "stripe_refund" })(doRefund)`. */
export const enforce =
  (options: ToolOptions = {}) =>
  <F extends AnyFunction>(fn: F): Cleared<F> =>
    tool(fn, options);

/** The name the public ledgix-ts client used for `enforce`. */
export const vaultEnforce = enforce;

export interface AutoInstrumentOptions {
  /** A manifest object or file; default the first of ledgix.yaml, ledgix.yml, ledgix.json in the working directory. */
  manifest?: Manifest | string;
  client?: LedgixClient;
}

/**
 * A copy of `tools` whose functions a manifest rule matches are wrapped with `tool()` under
 * their own name (the first matching glob decides the policy and context); other members are
 * kept as they are. A manifest object is checked as a file is (docs/manifest.md).
 */
export async function autoInstrument<T extends object>(tools: T, options: AutoInstrumentOptions = {}): Promise<T> {
  const source = options.manifest ?? findManifest();
  if (source === null) throw new Error("autoInstrument: no ledgix.yaml, ledgix.yml or ledgix.json in the working directory");
  const manifest = typeof source === "string" ? await loadManifest(source) : parseManifest(source);
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(tools)) {
    const member = (tools as Record<string, unknown>)[key];
    const rule = typeof member === "function" ? matchRule(manifest, key) : null;
    result[key] = rule
      ? tool(member as AnyFunction, { name: key, policy: rule.policy_id, context: rule.context, client: options.client }).bind(tools)
      : member;
  }
  return result as T;
}
