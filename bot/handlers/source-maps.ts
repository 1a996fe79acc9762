/**
 * Stack traces that name our TypeScript files in CloudWatch, without Node's `--enable-source-maps`: that flag
 * reads and parses every bundle's source map while the bundle loads (~30 ms of each cold start, measured by
 * bench/coldstart.ts), whereas source-map-support reads the map only when a stack trace is first formatted,
 * that is, when something already went wrong. Imported first by every Lambda entry.
 */
import { install } from "source-map-support";

/** Whether stack traces still need mapping: on Lambda, unless Node already maps them (tsx, the flag). */
export function needsSourceMapSupport(environment: Record<string, string | undefined>): boolean {
  return Boolean(environment.AWS_LAMBDA_FUNCTION_NAME) && !process.sourceMapsEnabled;
}

if (needsSourceMapSupport(process.env)) {
  // The Lambda runtime reports uncaught errors itself; only the formatting of stack traces is ours.
  install({ environment: "node", handleUncaughtExceptions: false });
}
