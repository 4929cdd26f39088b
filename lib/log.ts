import { env, LOG_LEVELS } from "@/lib/env";

// One line per event, `key=value` pairs after a fixed prefix: greppable by people and
// parsable by log shippers. Callers pass only what is safe to keep (never keys, tokens
// or bodies).

type LogLevel = (typeof LOG_LEVELS)[number];

type Fields = Record<string, string | number | null | undefined>;

const format = (value: string | number) => (typeof value === "string" && /[\s"=]/.test(value) ? JSON.stringify(value) : String(value));

function write(level: Exclude<LogLevel, "silent">, message: string, fields: Fields = {}) {
  if (LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(env().LEDGIX_LOG_LEVEL)) return;
  const pairs = Object.entries(fields).flatMap(([key, value]) => (value === undefined || value === null ? [] : [`${key}=${format(value)}`]));
  const line = [`ledgix ${level}`, message, ...pairs].join(" ");
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
}

export const log = {
  debug: (message: string, fields?: Fields) => write("debug", message, fields),
  info: (message: string, fields?: Fields) => write("info", message, fields),
  warn: (message: string, fields?: Fields) => write("warn", message, fields),
  error: (message: string, fields?: Fields) => write("error", message, fields),
};
