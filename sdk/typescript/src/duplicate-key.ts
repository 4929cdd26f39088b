/**
 * The first member name given twice in one object of a JSON text, or null; the text must be
 * JSON that JSON.parse accepted. JSON.parse keeps the last; a service whose parser keeps the
 * first would run another call than the one approved. A scan over the tokens, not a parser
 * package: the vault imports this file too, and nesting of any depth costs no stack.
 */
export function duplicateKey(text: string): string | null {
  // One entry per open object (its names so far) or array (null).
  const open: (Set<string> | null)[] = [];
  let nameNext = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      if (nameNext) {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        const names = open.at(-1)!;
        if (names.has(name)) return name;
        names.add(name);
        nameNext = false;
      }
      i = end;
    } else if (c === "{") {
      open.push(new Set());
      nameNext = true;
    } else if (c === "[") {
      open.push(null);
    } else if (c === "}" || c === "]") {
      open.pop();
      nameNext = false;
    } else if (c === ",") {
      nameNext = open.at(-1) instanceof Set;
    }
  }
  return null;
}
