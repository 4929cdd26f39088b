import type { Metadata } from "next";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { InlineMarkdown } from "@/components/ui/inline-markdown";
import { PageHeader } from "@/components/ui/page-header";
import { requireMember } from "@/lib/auth/session";
import { openApiDocument } from "@/lib/openapi/openapi";

export const metadata: Metadata = { title: "API reference" };

interface JsonSchema { type?: string | string[]; description?: string; properties?: Record<string, JsonSchema>; required?: string[]; enum?: unknown[]; nullable?: boolean; items?: JsonSchema; $ref?: string }
interface Parameter { name: string; in: string; required: boolean; schema: JsonSchema; description?: string }
interface Operation {
  summary: string;
  description?: string;
  "x-ledgix-scope"?: string;
  parameters: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }> }>;
}

const typeOf = (s: JsonSchema): string => (s.$ref ? s.$ref.split("/").pop()!
  : s.enum ? s.enum.map((v) => JSON.stringify(v)).join(" | ") : `${[s.type ?? "any"].flat().join(" | ")}${s.items ? `<${typeOf(s.items)}>` : ""}${s.nullable ? " | null" : ""}`);

type Field = { name: string; where?: string; required: boolean; schema: JsonSchema; description?: string };

function Fields({ title, fields }: { title: string; fields: Field[] }) {
  if (fields.length === 0) return null;
  return (
    <div className="border-t border-zinc-100 dark:border-zinc-800/60">
      <h3 className="px-4 pt-3 text-xs font-semibold tracking-wide text-zinc-500 uppercase">{title}</h3>
      <div className="overflow-x-auto">
        <table className="w-full text-sm">
          <tbody>
            {fields.map((f) => (
              <tr key={`${f.where}-${f.name}`} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800/60">
                <td className="w-56 px-4 py-2 align-top font-mono text-xs">{f.name}{f.required && <span className="ml-1 text-red-600" title="required">*</span>}{f.where && <span className="ml-1 text-zinc-400">({f.where})</span>}</td>
                <td className="w-48 px-4 py-2 align-top font-mono text-xs text-zinc-500">{typeOf(f.schema)}</td>
                <td className="px-4 py-2 align-top text-zinc-600 dark:text-zinc-400"><InlineMarkdown text={f.description ?? f.schema.description ?? ""} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

const bodyFields = (schema: JsonSchema | undefined): Field[] =>
  Object.entries(schema?.properties ?? {}).map(([name, field]) => ({ name, required: schema?.required?.includes(name) ?? false, schema: field }));

export default async function ApiReferencePage() {
  await requireMember("view");
  const doc = openApiDocument();
  const schemas = doc.components.schemas as Record<string, JsonSchema>;
  return (
    <>
      <PageHeader title="API reference" description="Every public endpoint, its fields, answers and error codes, generated from the schemas that validate them. The raw document is at /api/openapi.json." />
      <p className="mb-6 text-sm text-zinc-600 dark:text-zinc-400"><InlineMarkdown text={doc.info.description} /></p>
      <div className="space-y-6">
        {Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods as Record<string, Operation>).map(([method, op]) => {
          const body = op.requestBody && Object.values(op.requestBody.content)[0]!.schema;
          const ok = Object.entries(op.responses).filter(([status]) => Number(status) < 400);
          const errors = Object.entries(op.responses).filter(([status]) => Number(status) >= 400);
          const answer = ok.map(([, r]) => r.content?.["application/json"]?.schema.$ref?.split("/").pop()).find(Boolean);
          return (
            <Card key={`${method} ${path}`} data-testid="api-operation" className="overflow-x-auto">
              <CardHeader className="space-y-1">
                <div className="flex flex-wrap items-center gap-3">
                  <span className="rounded bg-zinc-900 px-2 py-0.5 font-mono text-xs font-semibold text-white uppercase dark:bg-zinc-100 dark:text-zinc-900">{method}</span>
                  <CardTitle className="font-mono break-all">/api{path}</CardTitle>
                  {op["x-ledgix-scope"] ? <span className="text-xs text-zinc-500">scope {op["x-ledgix-scope"]}</span> : <span className="text-xs text-zinc-500">no API key</span>}
                </div>
                <p className="text-sm"><InlineMarkdown text={op.summary} /></p>
                {op.description && <p className="text-sm text-zinc-500 dark:text-zinc-400"><InlineMarkdown text={op.description} /></p>}
              </CardHeader>
              <Fields title="Parameters" fields={op.parameters.map((p) => ({ name: p.name, where: p.in, required: p.required, schema: p.schema, description: p.description }))} />
              <Fields title="Body" fields={bodyFields(body)} />
              <Fields title={`Answer${answer ? `: ${answer}` : ""}`} fields={bodyFields(answer ? schemas[answer] : undefined)} />
              <div className="space-y-1 border-t border-zinc-100 px-4 py-3 text-sm dark:border-zinc-800/60">
                {ok.map(([status, r]) => <p key={status}><span className="font-mono text-xs text-emerald-600">{status}</span> <InlineMarkdown text={r.description} /></p>)}
                {errors.map(([status, r]) => <p key={status} className="text-zinc-600 dark:text-zinc-400"><span className="font-mono text-xs text-red-600">{status}</span> <InlineMarkdown text={r.description} /></p>)}
              </div>
            </Card>
          );
        }))}
      </div>
    </>
  );
}
