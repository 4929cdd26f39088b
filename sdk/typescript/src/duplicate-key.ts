import { iterator, parse as parseJsonTree, type ObjectNode } from "@humanwhocodes/momoa";

/**
 * The first member name given twice in one object of a JSON text, or null. JSON.parse keeps
 * the last; a service whose parser keeps the first would run another call than the one
 * approved. Throws on text momoa cannot parse (JSON.parse took it, so only nesting deep enough
 * to exhaust the stack can make it fail).
 */
export function duplicateKey(text: string): string | null {
  for (const { node } of iterator(parseJsonTree(text, { mode: "json" }))) {
    if (node.type !== "Object") continue;
    const seen = new Set<string>();
    for (const member of (node as ObjectNode).members) {
      const name = member.name.type === "String" ? member.name.value : member.name.name;
      if (seen.has(name)) return name;
      seen.add(name);
    }
  }
  return null;
}
