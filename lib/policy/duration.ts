const SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** "30m" → 1800. The schema has already checked the form. */
export const durationSeconds = (value: string) => Number(value.slice(0, -1)) * SECONDS[value.at(-1) as keyof typeof SECONDS];
