/**
 * The local stack as the HTTP and end-to-end tests run it: a free port, data in memory, no schedule timer,
 * silent logs, rules as the default tier. Each test passes only what it needs to differ.
 */
import { type LocalStack, type LocalStackOptions, startLocalStack } from "../../local/stack";

/** Starts a {@link LocalStack} for a test (close it in `afterAll`). */
export function startTestStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  return startLocalStack({
    port: 0,
    dataDir: null,
    runSchedule: false,
    logLevel: "silent",
    defaultMode: "rules",
    ...options,
  });
}
