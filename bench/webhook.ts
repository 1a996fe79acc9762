/**
 * Webhook benchmark: updates per second and ms per update through the real webhook handler with
 * DynamoDB served by dynalite, the DynamoDB requests per plain text message (counted by middleware on the
 * SDK client, bot/storage/request-counter.ts), and "our own code" time (total minus time inside DynamoDB calls).
 * Baseline in the same run: the same handler over the in-memory storage (no database at all). With the inbox on
 * (bot/inbox/), it also counts the requests of a declined message (the fallback, kept in the inbox: one more).
 *
 *   npx tsx bench/webhook.ts [updates=2000]
 */

import { performance } from "node:perf_hooks";
import type { Update } from "grammy/types";
import { botInfoFor } from "../bot/bot-info";
import { MemoryBroadcastQueue } from "../bot/broadcast/memory-queue";
import { botConfigDefaults } from "../bot/context";
import { createBot } from "../bot/create-bot";
import { DynamoInboxStore } from "../bot/inbox/store/dynamodb";
import { MemoryInboxStore } from "../bot/inbox/store/memory";
import type { InboxStore } from "../bot/inbox/store/port";
import { createJsonLogger } from "../bot/observability/logger";
import { createDynamoStorage } from "../bot/storage/dynamodb";
import { createMemoryStorage } from "../bot/storage/memory";
import type { Storage } from "../bot/storage/port";
import { countRequests } from "../bot/storage/request-counter";
import { createWebhookHandler } from "../bot/webhook";
import { loadContent } from "../content/load";
import { answerInProcess } from "../local/in-process-telegram";
import { RuleClassifier } from "../nlp/rules";
import { startDynalite } from "../tests/helpers/dynamo";

const updates = Number(process.argv[2] ?? 2000);
const users = 50;
const content = loadContent();
const rules = new RuleClassifier(content);
const phrases = content.intents.flatMap((intent) => intent.examples.en ?? []).slice(0, 200);
/** A message no rule matches: the rules tier declines it (and the inbox keeps it). */
const declinedText = "my cat likes sardines";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function handlerFor(storage: Storage, inbox?: InboxStore) {
  const bot = createBot(
    {
      content,
      storage,
      classifiers: { rules },
      broadcasts: new MemoryBroadcastQueue(),
      config: { ...botConfigDefaults, defaultMode: "rules", adminUserIds: [] },
      clock: { now: () => new Date() },
      logger: createJsonLogger({ level: "silent" }),
      ...(inbox ? { inbox } : {}),
    },
    { token: "1:BENCH", botInfo: botInfoFor(1, "bench_bot") },
  );
  // Telegram answers instantly: we measure our code and the database, not the network to Telegram.
  answerInProcess(bot.api);
  return createWebhookHandler({
    bot,
    secretToken: "s",
    logger: createJsonLogger({ level: "silent" }),
    timeoutMilliseconds: 8000,
  });
}

let updateId = 1;
function event(userId: number, text: string) {
  const update: Update = {
    update_id: updateId++,
    message: {
      message_id: updateId,
      date: 0,
      chat: { id: userId, type: "private", first_name: "U" },
      from: { id: userId, is_bot: false, first_name: "U", language_code: "en" },
      text,
    },
  } as Update;
  return {
    headers: { "x-telegram-bot-api-secret-token": "s" },
    body: JSON.stringify(update),
    isBase64Encoded: false,
    requestContext: { http: { sourceIp: "127.0.0.1" } },
    // biome-ignore lint/suspicious/noExplicitAny: a minimal API Gateway v2 event.
  } as any;
}

async function run(
  name: string,
  storage: Storage,
  inbox: InboxStore,
  dbTime: () => number,
  countPerMessage?: (text: string) => Promise<string>,
) {
  const handle = handlerFor(storage, inbox);
  for (let u = 1; u <= users; u++) await handle(event(u, "/start")); // first contact creates profiles
  const extra = countPerMessage ? await countPerMessage("what is the maximum memory for lambda") : "";
  const declined = countPerMessage ? await countPerMessage(declinedText) : "";
  const durations: number[] = [];
  const own: number[] = [];
  const started = performance.now();
  for (let i = 0; i < updates; i++) {
    const before = dbTime();
    const t0 = performance.now();
    const result = await handle(event((i % users) + 1, phrases[i % phrases.length] ?? "hello"));
    const elapsed = performance.now() - t0;
    if (result.statusCode !== 200) throw new Error(`status ${result.statusCode}`);
    durations.push(elapsed);
    own.push(elapsed - (dbTime() - before));
  }
  const seconds = (performance.now() - started) / 1000;
  durations.sort((a, b) => a - b);
  own.sort((a, b) => a - b);
  return {
    storage: name,
    "updates/s": Math.round(updates / seconds),
    "p50 ms": +percentile(durations, 50).toFixed(2),
    "p99 ms": +percentile(durations, 99).toFixed(2),
    "own code p50 ms": +percentile(own, 50).toFixed(2),
    "own code p99 ms": +percentile(own, 99).toFixed(2),
    "DynamoDB requests / text message": extra,
    "DynamoDB requests / declined message": declined,
  };
}

async function main() {
  const rows = [];
  rows.push(
    await run(
      "in-memory (baseline)",
      createMemoryStorage(),
      new MemoryInboxStore({ retentionDays: 90 }),
      () => 0,
    ),
  );

  const dynamo = await startDynalite({ tableName: "bench" });
  try {
    // Time spent inside DynamoDB calls, so "own code" excludes the database.
    const timer = countRequests(dynamo.client);
    const counter = countRequests(dynamo.documentClient);
    const storage = createDynamoStorage({ client: dynamo.documentClient, tableName: dynamo.tableName });
    const inbox = new DynamoInboxStore({ ...dynamo, client: dynamo.documentClient, retentionDays: 90 });
    const perMessage = async (text: string) => {
      const handle = handlerFor(storage, inbox);
      counter.reset();
      await handle(event(1, text));
      return `${counter.total()} (${Object.entries(counter.byCommand)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")})`;
    };
    rows.push(await run("DynamoDB (dynalite)", storage, inbox, () => timer.durationMs, perMessage));
  } finally {
    await dynamo.stop();
  }
  console.log(
    `Webhook benchmark: ${updates} text updates from ${users} users, rules tier, Node ${process.version}`,
  );
  console.table(rows);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
