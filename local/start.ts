/**
 * `npm start`: the local stack on http://127.0.0.1:8787 (web chat, HTTP API, schedule, Telegram emulator,
 * dynalite persisted under .lambdagram/data), or, with a real BOT_TOKEN and no TELEGRAM_API_ROOT, the same
 * bot against real Telegram by long polling. Settings come from the environment (local/settings.ts, README).
 * It behaves like a service: SIGTERM, SIGINT, SIGHUP or the end of the npm process that launched it stop
 * everything within 5 s with the data saved; a data folder in use is refused with the other process named.
 */

import { ContentError } from "../content/load";
import { InvalidBroadcastRateError } from "../contracts/broadcast-rates";
import { env } from "../contracts/runtime";
import { DataDirInUseError } from "./data-dir";
import { watchLaunchers } from "./launcher-watch";
import { InvalidLocalSettingError, localStackOptionsFrom, startBanner } from "./settings";
import { PortInUseError, startLocalStack } from "./stack";

/** Longest an orderly stop may take before the process exits anyway. */
const stopDeadlineMs = 4500;

async function main(): Promise<void> {
  const environment = process.env;
  // Lambda runs Node 22; locally on Node 20 the AWS SDK's upgrade notice would only bury the URLs below.
  environment.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const started = performance.now();
  const token = environment[env.botToken];
  if (token && !environment[env.telegramApiRoot]) {
    const { startLongPolling } = await import("./long-polling");
    await startLongPolling(environment);
    return;
  }
  const options = localStackOptionsFrom(environment);
  const stack = await startLocalStack({ ...options, say: (line) => console.log(line) });
  console.log(startBanner(stack, environment, Math.round(performance.now() - started)).join("\n"));
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nStopping (${why}; data is kept)...`);
    setTimeout(() => {
      console.error(`Not stopped after ${stopDeadlineMs} ms; exiting anyway.`);
      process.exit(1);
    }, stopDeadlineMs).unref();
    await stack.stop();
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stop(signal));
  watchLaunchers(() => stop("the process that launched it ended"));
}

main().catch((error: unknown) => {
  if (
    error instanceof PortInUseError ||
    error instanceof ContentError ||
    error instanceof DataDirInUseError ||
    error instanceof InvalidLocalSettingError ||
    error instanceof InvalidBroadcastRateError
  ) {
    console.error(error.message);
    process.exit(1);
  }
  console.error(error);
  process.exit(1);
});
