import { z } from "zod";
import type { ClearanceRequest } from "@/lib/db/generated/client";

// The sizes of a standing approval (issue 12). Every grant expires; a grant of uses
// alone expires after USES_ONLY_MINUTES so that none outlives the reviewer's attention.

export const MAX_GRANT_MINUTES = 7 * 24 * 60;
export const USES_ONLY_MINUTES = 24 * 60;
export const MAX_GRANT_USES = 1000;

export const GRANT_KINDS = ["exact_args", "tool_condition", "session"] as const;
export type GrantKind = (typeof GRANT_KINDS)[number];

// Fractions of a minute are allowed so a short grant can be tried (and tested) in seconds.
const minutes = z.number().positive().max(MAX_GRANT_MINUTES).describe("How long the grant lasts, in minutes");

export const grantSpecSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("exact_args").describe("These exact arguments, for this tool and agent"),
    uses: z.number().int().min(1).max(MAX_GRANT_USES).optional().describe("How many more calls it approves"),
    minutes: minutes.optional(),
  }).refine((spec) => spec.uses !== undefined || spec.minutes !== undefined, { message: "Give uses, minutes or both", path: ["uses"] }),
  z.object({
    kind: z.literal("tool_condition").describe("This tool for this agent, while a CEL condition holds"),
    condition: z.string().trim().min(1).max(2000).describe("CEL over the request, e.g. args.amount <= 200"),
    minutes,
  }),
  z.object({
    kind: z.literal("session").describe("This agent's session"),
    minutes,
    all_tools: z.boolean().default(false).describe("Cover every tool in the session, not only this request's"),
  }),
]);

export type GrantSpec = z.input<typeof grantSpecSchema>;
export type ParsedGrantSpec = z.output<typeof grantSpecSchema>;

/** The request fields a grant is cut from. */
export type GrantSource = Pick<ClearanceRequest, "toolName" | "toolArgs" | "agentId" | "sessionId"> & Partial<Pick<ClearanceRequest, "reviewQuorum">>;

export interface GrantOption {
  /** Stable key for a form field. */
  key: string;
  label: string;
  spec: ParsedGrantSpec;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A condition that holds for this request's own arguments: numbers within the range from
 * zero to their value (both bounds: a refund of -99,000,000 is no smaller a risk), short
 * strings and booleans as equalities. `true` when no argument lends itself to one.
 */
export function suggestedCondition(args: unknown): string {
  if (args === null || typeof args !== "object" || Array.isArray(args)) return "true";
  const terms = Object.entries(args).flatMap(([key, value]) => {
    if (!IDENTIFIER.test(key)) return [];
    if (typeof value === "number" && Number.isFinite(value)) return [`args.${key} >= ${Math.min(0, value)} && args.${key} <= ${Math.max(0, value)}`];
    if (typeof value === "boolean") return [`args.${key} == ${value}`];
    if (typeof value === "string" && value.length <= 100) return [`args.${key} == ${JSON.stringify(value)}`];
    return [];
  });
  return terms.length === 0 ? "true" : terms.join(" && ");
}

const duration = (m: number) => (m % 60 === 0 ? `${m / 60} h` : `${m} min`);

/** One line a person reads: in the option list, the approval's reason and the dashboard. */
export function describeGrant(spec: ParsedGrantSpec, source: Pick<GrantSource, "toolName" | "agentId">): string {
  switch (spec.kind) {
    case "exact_args": {
      const parts = [spec.uses !== undefined && `the next ${spec.uses === 1 ? "call" : `${spec.uses} calls`}`, spec.minutes !== undefined && duration(spec.minutes)];
      return `${source.toolName} with these exact arguments by ${source.agentId}: ${parts.filter(Boolean).join(" within ")}`;
    }
    case "tool_condition":
      return `${source.toolName} by ${source.agentId} while ${spec.condition}, for ${duration(spec.minutes)}`;
    case "session":
      return `${spec.all_tools ? "every tool" : source.toolName} in this session of ${source.agentId}, for ${duration(spec.minutes)}`;
  }
}

/**
 * The sizes a reviewer is offered, narrowest first ("just this once" is the absence of a
 * grant). None when the request needs several approvers: one person may not grant for many.
 */
export function grantOptions(request: GrantSource): GrantOption[] {
  if ((request.reviewQuorum ?? 1) > 1) return [];
  const specs: [string, ParsedGrantSpec][] = [
    ["exact-once", { kind: "exact_args", uses: 1 }],
    ["exact-5", { kind: "exact_args", uses: 5 }],
    ["exact-1h", { kind: "exact_args", minutes: 60 }],
    ["condition-1h", { kind: "tool_condition", condition: suggestedCondition(request.toolArgs), minutes: 60 }],
  ];
  // An empty session id is every sessionless call of the agent, which is not a session.
  if (request.sessionId !== "") specs.push(["session-1h", { kind: "session", minutes: 60, all_tools: false }]);
  return specs.map(([key, spec]) => ({ key, label: describeGrant(spec, request), spec }));
}
