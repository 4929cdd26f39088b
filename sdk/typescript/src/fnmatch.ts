/**
 * Python's `fnmatch.fnmatchcase`, so that a glob means the same in the gateway config as in
 * the Python SDK: `*` any run of characters (`/` included), `?` one character, `[seq]` one of
 * seq (ranges `a-z`), `[!seq]` one not in seq. A `]` first in a set is literal, as is a `-`
 * first or last; a reversed range matches nothing; a `[` with no closing `]` is literal. No
 * escape character, case-sensitive. Characters are code points, as in a Python str.
 */
export function fnmatchRegExp(glob: string): RegExp {
  const pattern = Array.from(glob);
  const literal = (c: string) => `\\u{${c.codePointAt(0)!.toString(16)}}`;
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") source += ".*";
    else if (c === "?") source += ".";
    else if (c === "[") {
      let end = i + 1;
      if (pattern[end] === "!") end++;
      if (pattern[end] === "]") end++;
      while (end < pattern.length && pattern[end] !== "]") end++;
      if (end >= pattern.length) {
        source += literal(c);
        continue;
      }
      source += charSet(pattern.slice(i + 1, end), literal);
      i = end;
    } else source += literal(c);
  }
  return new RegExp(`^${source}$`, "su");
}

/** A bracket expression's body (between `[` and `]`) as a RegExp character class. */
function charSet(body: string[], literal: (c: string) => string): string {
  const negated = body[0] === "!";
  const members = negated ? body.slice(1) : body;
  let items = "";
  for (let k = 0; k < members.length; k++) {
    const [from, dash, to] = [members[k]!, members[k + 1], members[k + 2]];
    if (dash === "-" && to !== undefined) {
      if (from.codePointAt(0)! <= to.codePointAt(0)!) items += `${literal(from)}-${literal(to)}`;
      k += 2;
    } else items += literal(from);
  }
  if (!items) return negated ? "." : "(?!)";
  return `[${negated ? "^" : ""}${items}]`;
}

export const fnmatch = (name: string, glob: string): boolean => fnmatchRegExp(glob).test(name);
