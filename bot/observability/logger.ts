/**
 * JSON-lines logging for CloudWatch: one object per line with level, message and fields. The bot logs
 * ids, intents and timings, never message texts or names at info level.
 */
import type { Logger } from "../ports";

/** Log levels, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Builds a JSON logger; `write` defaults to stdout (Lambda sends it to CloudWatch Logs). */
export function createJsonLogger(
  options: { level?: LogLevel; base?: Record<string, unknown>; write?: (line: string) => void } = {},
): Logger {
  const threshold = order[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log = (level: Exclude<LogLevel, "silent">) => (message: string, fields?: Record<string, unknown>) => {
    if (order[level] < threshold) return;
    write(JSON.stringify({ level, time: new Date().toISOString(), message, ...options.base, ...fields }));
  };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/** A logger that remembers entries: for tests that assert what was logged. */
export function createMemoryLogger(): Logger & {
  entries: { level: string; message: string; fields?: Record<string, unknown> }[];
} {
  const entries: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    entries.push({ level, message, fields });
  };
  return { entries, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}
