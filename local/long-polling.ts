/**
 * `BOT_TOKEN=... npm start` without TELEGRAM_API_ROOT: the same bot against real Telegram by long polling
 * (grammY runner), storage in dynalite under .lambdagram/data, so anyone can try their bot without AWS.
 */

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "@grammyjs/runner";
import { botIdFromToken, botInfoFor } from "../bot/bot-info";
import { type Environment, loggerFrom } from "../bot/runtime/environment";
import { createServices } from "../bot/runtime/services";
import { buildBot } from "../bot/runtime/webhook";
import { loadContent } from "../content/load";
import { env } from "../contracts/runtime";
import { lockDataDir } from "./data-dir";
import { startDynalite } from "./dynalite";
import { watchLaunchers } from "./launcher-watch";
import { captureMetrics } from "./metrics-capture";
import { ensureNlpModel } from "./nlp-model";

/** Runs the bot by long polling until the process is stopped. */
export async function startLongPolling(environment: Environment): Promise<void> {
  const token = environment[env.botToken] ?? "";
  const logger = loggerFrom(environment, { fn: "long-polling" });
  const dataDir = environment.LAMBDAGRAM_DATA_DIR ?? join(process.cwd(), ".lambdagram", "data");
  mkdirSync(dataDir, { recursive: true });
  const releaseLock = lockDataDir(dataDir);
  const dynamo = await startDynalite({ tableName: "lambdagram-local", path: join(dataDir, "dynamodb") });
  const content = loadContent();
  // /stats reads the metrics captured here, as on the local stack (local/metrics-capture.ts).
  const captured = await captureMetrics(dataDir);
  // The same composition root as the webhook on Lambda and the local stack, over dynalite.
  const services = createServices(
    { ...environment, [env.tableName]: dynamo.tableName, [env.dynamodbEndpoint]: dynamo.endpoint },
    {
      content,
      nlp: ensureNlpModel(content, logger, { say: (line) => console.log(line) }),
      metricSink: captured.sink,
      metricsReader: captured.reader,
    },
  );
  const bot = buildBot(services, logger, { token, botInfo: botInfoFor(botIdFromToken(token), "your_bot") });
  const me = await bot.api.getMe();
  bot.botInfo = me;
  await bot.api.deleteWebhook();
  console.log(`Lambdagram is polling Telegram as @${me.username}. Press Ctrl-C to stop.`);
  const runner = run(bot);
  const stop = async () => {
    setTimeout(() => process.exit(1), 4500).unref();
    await runner.stop();
    await dynamo.stop();
    await captured.close();
    releaseLock();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  watchLaunchers(stop);
}
