// The OpenAPI document covers every route under app/api (issue 21: it described 6 of 35).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { documentedOperations, openApiDocument, UNDOCUMENTED_ROUTES } from "@/lib/openapi/openapi";

const API = path.resolve(import.meta.dirname, "../../../app/api");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** "clearance/[requestId]/route.ts" → "/clearance/{requestId}"; "[...path]" → "{path}". */
const pathOf = (file: string) => `/${path.dirname(file)}`.replace(/\/\.$/, "").replace(/\[(?:\.\.\.)?(\w+)\]/g, "{$1}") || "/";

/**
 * The methods a route file really serves, as "METHOD /path". The `allowOnly(...)` fallbacks,
 * exported by destructuring (`export const { POST, … } = allowOnly("GET")`), only answer 405.
 */
function servedOperations(): string[] {
  const served: string[] = [];
  for (const file of fs.readdirSync(API, { recursive: true, encoding: "utf8" }).filter((f) => path.basename(f) === "route.ts")) {
    const source = fs.readFileSync(path.join(API, file), "utf8");
    const named = [...source.matchAll(/^export (?:const|async function|function) (\w+)/gm)].map((m) => m[1]!);
    const renamed = [...source.matchAll(/^export \{([^}]*)\}/gm)].flatMap((m) => [...m[1]!.matchAll(/\bas (\w+)/g)].map((a) => a[1]!));
    for (const method of new Set([...named, ...renamed]).values()) if (METHODS.includes(method)) served.push(`${method} ${pathOf(file)}`);
  }
  return served.sort();
}

describe("GET /api/openapi.json", () => {
  const served = servedOperations();
  const documented = documentedOperations();

  it("finds the routes it checks (the walk itself works)", () => {
    expect(served).toContain("POST /clearance");
    expect(served).toContain("GET /clearance-status/{requestId}");
    expect(served).not.toContain("GET /clearance"); // an allowOnly fallback, 405
    expect(served.length).toBeGreaterThan(35);
  });

  it("has an entry for every route and method under app/api, or names why it leaves one out", () => {
    const missing = served.filter((op) => !documented.includes(op) && !(op.split(" ")[1]! in UNDOCUMENTED_ROUTES));
    expect(missing, "routes with no entry in lib/openapi/openapi.ts").toEqual([]);
  });

  it("describes no route that does not exist, and excludes only routes that exist", () => {
    expect(documented.filter((op) => !served.includes(op))).toEqual([]);
    const servedPaths = new Set(served.map((op) => op.split(" ")[1]));
    expect(Object.keys(UNDOCUMENTED_ROUTES).filter((p) => !servedPaths.has(p))).toEqual([]);
  });

  it("gives every operation its responses, its error codes and, for a body, the body's schema", () => {
    const doc = openApiDocument();
    for (const [route, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods as Record<string, { responses: Record<string, { description: string }>; requestBody?: unknown }>)) {
        const statuses = Object.keys(op.responses).map(Number);
        expect(statuses.some((s) => s < 300), `${method} ${route}: a success answer`).toBe(true);
        expect(statuses.filter((s) => s >= 400).length, `${method} ${route}: its errors`).toBeGreaterThan(0);
        expect(op.responses[500]?.description).toContain("`internal_error`");
      }
    }
    const clearance = doc.paths["/clearance"]!.post as { requestBody: { content: { "application/json": { schema: { properties: Record<string, unknown> } } } }; responses: Record<string, { description: string }> };
    expect(Object.keys(clearance.requestBody.content["application/json"].schema.properties)).toContain("tool_args");
    expect(clearance.responses[401]!.description).toContain("`invalid_api_key`");
    expect(clearance.responses[400]!.description).toContain("`malformed_json`");
    // Every $ref names a schema the document has.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]!);
    expect(refs.filter((name) => !(name in doc.components.schemas))).toEqual([]);
  });
});
