/**
 * `npm start`: the local stack on http://127.0.0.1:8787 (web chat, HTTP API, schedule, Telegram emulator,
 * dynalite persisted under .lambdagram/data), or, with a real BOT_TOKEN and no TELEGRAM_API_ROOT, the same
 * bot against real Telegram by long polling. Settings come from the environment (see README).
 */

import { ContentError } from "../content/load";
import { defaultRecommendationSchedule, env } from "../contracts/runtime";
import { PortInUseError, startLocalStack } from "./stack";

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
  const stack = await startLocalStack({
    port: environment.PORT ? Number(environment.PORT) : 8787,
    botToken: token,
    telegramApiRoot: environment[env.telegramApiRoot],
    webhookSecret: environment[env.webhookSecret],
    adminApiToken: environment[env.adminApiToken],
    adminUserIds: environment[env.adminUserIds]?.split(",").map(Number),
    defaultMode: environment[env.defaultMode] === "rules" ? "rules" : "nlp",
    dataDir: environment.LAMBDAGRAM_DATA_DIR,
    logLevel: (environment[env.logLevel] as "info" | undefined) ?? "warn",
    say: (line) => console.log(line),
  });
  const ms = Math.round(performance.now() - started);
  console.log(
    [
      `Lambdagram is running locally (ready in ${ms} ms):`,
      `  Web chat         ${stack.url}/`,
      `  Telegram webhook POST ${stack.url}/telegram/webhook  (secret in X-Telegram-Bot-Api-Secret-Token)`,
      `  Admin API        POST ${stack.url}/admin/broadcasts, GET ${stack.url}/admin/broadcasts/{id}, POST .../{id}/cancel  (Authorization: Bearer ${stack.environment[env.adminApiToken]})`,
      `  Schedule         recommendations on ${defaultRecommendationSchedule.cron} (${stack.environment[env.scheduleTimezone]}); fire now: POST ${stack.url}/_local/schedules/recommendations`,
      `  Health           GET ${stack.url}/healthz`,
      stack.emulator
        ? `  Bot API emulator ${stack.url}/bot<token>/<method>  (control API: ${stack.url}/_emulator/)`
        : `  Bot API          ${stack.environment[env.telegramApiRoot]}`,
      `  DynamoDB         ${stack.dynamo.endpoint} (dynalite, data in ${environment.LAMBDAGRAM_DATA_DIR ?? ".lambdagram/data"})`,
      "Press Ctrl-C to stop.",
    ].join("\n"),
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping (data is kept)...");
    await stack.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  if (error instanceof PortInUseError || error instanceof ContentError) {
    console.error(error.message);
    process.exit(1);
  }
  console.error(error);
  process.exit(1);
});
