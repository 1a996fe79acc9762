/**
 * `BOT_TOKEN=... npm start` without TELEGRAM_API_ROOT: the same bot against real Telegram by long polling
 * (grammY runner), storage in dynalite under .lambdagram/data, so anyone can try their bot without AWS.
 */

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "@grammyjs/runner";
import { botIdFromToken, botInfoFor } from "../bot/bot-info";
import { MemoryBroadcastQueue } from "../bot/broadcast/memory-queue";
import { DynamoBroadcastStore } from "../bot/broadcast/store/dynamodb";
import { createBot } from "../bot/create-bot";
import { supportChatParticipant } from "../bot/handoff/forget";
import { DynamoHandoffStore } from "../bot/handoff/store/dynamodb";
import { DynamoInboxStore } from "../bot/inbox/store/dynamodb";
import { createMetrics } from "../bot/observability/metrics";
import { createUserDataEraser, participant, storageParticipants } from "../bot/privacy/eraser";
import { DynamoTipStore } from "../bot/recommendations/store/dynamodb";
import { botConfigFrom, type Environment, loggerFrom } from "../bot/runtime/environment";
import { DynamoAudienceCounter } from "../bot/stats/audience";
import { createDynamoStorage } from "../bot/storage/dynamodb";
import { loadContent } from "../content/load";
import { env } from "../contracts/runtime";
import { RuleClassifier } from "../nlp/rules";
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
  const table = { client: dynamo.documentClient, tableName: dynamo.tableName };
  const storage = createDynamoStorage(table);
  const handoff = new DynamoHandoffStore(table);
  const config = botConfigFrom(environment);
  const inbox = new DynamoInboxStore({ ...table, retentionDays: config.inboxRetentionDays });
  const bot = createBot(
    {
      content,
      storage,
      // The data folder may hold the local stack's broadcasts and tips too: /forget erases them as well.
      eraser: createUserDataEraser(
        [
          participant("broadcasts", new DynamoBroadcastStore(table)),
          participant("tips", new DynamoTipStore(table)),
          participant("inbox", inbox),
          participant("handoff", handoff),
          supportChatParticipant(storage.chats, config.supportChatId),
          ...storageParticipants(storage),
        ],
        { logger },
      ),
      classifiers: {
        rules: new RuleClassifier(content.intents),
        nlp: ensureNlpModel(content, logger, { say: (line) => console.log(line) }),
      },
      broadcasts: new MemoryBroadcastQueue(),
      config,
      clock: { now: () => new Date() },
      logger,
      metrics: createMetrics({ write: captured.sink, logger }),
      stats: { metrics: captured.reader, audience: new DynamoAudienceCounter(table) },
      handoff,
      inbox,
    },
    { token, botInfo: botInfoFor(botIdFromToken(token), "your_bot") },
  );
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
