/** Argument names whose values a reviewer must not misread: money and identifiers. */
export const EMPHASISED = /amount|currency|price|total|_id$|^id$|account|iban|email|recipient/i;

const MONEY = /amount|price|total|fee|sum/i;
const CURRENCY = /currency/i;
const MAX_VALUE_CHARS = 24;

/** Money first, then its currency, then the other emphasised names, then the rest. */
const rank = (key: string) => (MONEY.test(key) ? 0 : CURRENCY.test(key) ? 1 : EMPHASISED.test(key) ? 2 : 3);

const asRecord = (args: unknown): Record<string, unknown> =>
  args && typeof args === "object" && !Array.isArray(args) ? (args as Record<string, unknown>) : {};

function show(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/**
 * For each request of a list, a compact line of the top-level arguments whose values differ
 * across the list (`500 USD · ch_77`), money first; null for every entry when nothing differs
 * (or the list has one request), so that the caller shows something else, such as the reason.
 * An amount that is shown brings its currency along even when every request has the same one,
 * since "500" alone is not money.
 */
export function differingArgs(argsList: readonly unknown[], maxFields = 3): (string | null)[] {
  const records = argsList.map(asRecord);
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const differs = (key: string) => new Set(records.map((r) => (key in r ? JSON.stringify(r[key]) : undefined))).size > 1;
  const chosen = keys.filter(differs).sort((a, b) => rank(a) - rank(b)).slice(0, maxFields);
  if (chosen.length === 0) return records.map(() => null);
  const currency = chosen.some((k) => MONEY.test(k)) ? keys.find((k) => CURRENCY.test(k)) : undefined;
  const fields = currency && !chosen.includes(currency) ? [...chosen.filter((k) => MONEY.test(k)), currency, ...chosen.filter((k) => !MONEY.test(k))] : chosen;
  return records.map((record) => {
    const parts: string[] = [];
    fields.forEach((key, i) => {
      if (!(key in record)) return;
      const value = show(record[key]);
      // A currency right after its amount reads as one value: "500 USD".
      if (CURRENCY.test(key) && i > 0 && MONEY.test(fields[i - 1]!) && fields[i - 1]! in record) parts[parts.length - 1] += ` ${value}`;
      else parts.push(value);
    });
    return parts.length > 0 ? parts.join(" · ") : null;
  });
}
