import type { Metadata } from "next";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireMember } from "@/lib/auth/session";
import { openApiDocument } from "@/lib/openapi/openapi";

export const metadata: Metadata = { title: "API reference" };

interface JsonSchema { type?: string | string[]; description?: string; properties?: Record<string, JsonSchema>; required?: string[]; enum?: unknown[]; nullable?: boolean; items?: JsonSchema; maxLength?: number }
type Operation = { summary: string; requestBody?: { content: { "application/json": { schema: { $ref: string } } } } };

const typeOf = (s: JsonSchema): string => (s.enum ? s.enum.map((v) => JSON.stringify(v)).join(" | ") : `${[s.type ?? "any"].flat().join(" | ")}${s.items ? `<${typeOf(s.items)}>` : ""}${s.nullable ? " | null" : ""}`);

export default async function ApiReferencePage() {
  await requireMember("view");
  const doc = openApiDocument();
  const schemas = doc.components.schemas as Record<string, JsonSchema>;
  return (
    <>
      <PageHeader title="API reference" description="Every public endpoint and field, generated from the schemas that validate them. The raw document is at /api/openapi.json." />
      <div className="space-y-6">
        {Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods as Record<string, Operation>).map(([method, op]) => {
          const ref = op.requestBody?.content["application/json"].schema.$ref.split("/").pop();
          const schema = ref ? schemas[ref] : undefined;
          return (
            <Card key={`${method} ${path}`} className="overflow-x-auto">
              <CardHeader className="flex flex-wrap items-center gap-x-3 gap-y-1">
                <span className="rounded bg-zinc-900 px-2 py-0.5 font-mono text-xs font-semibold text-white uppercase dark:bg-zinc-100 dark:text-zinc-900">{method}</span>
                <CardTitle className="font-mono">/api{path}</CardTitle>
                <span className="text-sm text-zinc-500">{op.summary}</span>
              </CardHeader>
              {schema?.properties && (
                <table className="w-full text-sm">
                  <tbody>
                    {Object.entries(schema.properties).map(([name, field]) => (
                      <tr key={name} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800/60">
                        <td className="w-56 px-4 py-2 font-mono text-xs">{name}{schema.required?.includes(name) && <span className="ml-1 text-red-600">*</span>}</td>
                        <td className="w-48 px-4 py-2 font-mono text-xs text-zinc-500">{typeOf(field)}</td>
                        <td className="px-4 py-2 text-zinc-600 dark:text-zinc-400">{field.description ?? ""}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Card>
          );
        }))}
      </div>
    </>
  );
}
