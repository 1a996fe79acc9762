/**
 * Drives the real bot with real Telegram update JSON and captures every Bot API call through a grammY
 * API transformer (no network). Each test gets fresh storage, a fake clock and a recording logger.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { Update } from "grammy/types";
import { botInfoFor } from "../../bot/bot-info";
import { MemoryBroadcastQueue } from "../../bot/broadcast/memory-queue";
import { type BotConfig, botConfigDefaults } from "../../bot/context";
import { createBot } from "../../bot/create-bot";
import { MemoryHandoffStore } from "../../bot/handoff/store/memory";
import type { HandoffStore } from "../../bot/handoff/store/port";
import { MemoryInboxStore } from "../../bot/inbox/store/memory";
import type { InboxStore } from "../../bot/inbox/store/port";
import { createMemoryLogger } from "../../bot/observability/logger";
import { createMetrics, type MetricSink } from "../../bot/observability/metrics";
import type { UserDataEraser } from "../../bot/privacy/eraser";
import type { TipStore } from "../../bot/recommendations/store";
import type { StatsSources } from "../../bot/stats/collect";
import { createMemoryStorage } from "../../bot/storage/memory";
import type { Storage } from "../../bot/storage/port";
import { createWebhookHandler } from "../../bot/webhook";
import { loadContent } from "../../content/load";
import type { Content } from "../../content/schema";
import { answerInProcess } from "../../local/in-process-telegram";
import { RuleClassifier } from "../../nlp/rules";
import type { IntentClassifier } from "../../nlp/types";
import { FakeClock } from "./clock";

let cachedContent: Content | undefined;
/** The default content pack, loaded once per test file. */
export function defaultContent(): Content {
  cachedContent ??= loadContent();
  return cachedContent;
}

/** A Bot API call the bot made. */
export interface ApiCall {
  method: string;
  payload: Record<string, unknown>;
}

export const botInfo = botInfoFor(999000, "lambdagram_test_bot");

export const webhookSecret = "test-secret_token-123";

/** Options for a harness. */
export interface HarnessOptions {
  storage?: Storage;
  nlp?: IntentClassifier;
  config?: Partial<BotConfig>;
  content?: Content;
  /** Receives the EMF metric lines the bot emits. */
  metricLines?: string[];
  /** Also receives them (e.g. an EmfMetricsReader's sink); the lines carry the fake clock's time. */
  metricSink?: MetricSink;
  /** Where /stats reads; without it /stats says stats are not set up. */
  stats?: StatsSources;
  /** Makes a Bot API method fail (e.g. to simulate Telegram errors). */
  failMethod?: (call: ApiCall) => Error | undefined;
  /** Handoff threads (default: a fresh in-memory store; handoff is on only with `config.supportChatId`). */
  handoff?: HandoffStore;
  /** The clock (default: a fresh FakeClock), e.g. the one a DynamoDB storage was built with. */
  clock?: FakeClock;
  /** The user-data eraser of /forget (default: the storage's own participants). */
  eraser?: UserDataEraser;
  /** Tip history for "more like this". */
  tipHistory?: TipStore;
  /** The inbox (default: an in-memory one on the harness clock, as `inbox`); `null` runs without. */
  inbox?: InboxStore | null;
}

/** A bot under test with helpers to play a Telegram user. */
export function createHarness(options: HarnessOptions = {}) {
  const clock = options.clock ?? new FakeClock();
  const storage = options.storage ?? createMemoryStorage({ clock });
  const logger = createMemoryLogger();
  const broadcasts = new MemoryBroadcastQueue();
  const content = options.content ?? defaultContent();
  const handoff = options.handoff ?? new MemoryHandoffStore();
  const inbox =
    options.inbox === undefined
      ? new MemoryInboxStore({ clock, retentionDays: 90 })
      : (options.inbox ?? undefined);
  const config: BotConfig = {
    ...botConfigDefaults,
    defaultMode: "rules",
    adminUserIds: [1],
    ...options.config,
  };
  let seed = 1;
  const metrics =
    options.metricLines || options.metricSink
      ? createMetrics({
          write: (line) => {
            options.metricLines?.push(line);
            options.metricSink?.(line);
          },
          now: () => clock.now().getTime(),
        })
      : undefined;
  const bot = createBot(
    {
      content,
      storage,
      classifiers: { rules: new RuleClassifier(content), nlp: options.nlp },
      broadcasts,
      config,
      clock,
      logger,
      metrics,
      ...(options.stats ? { stats: options.stats } : {}),
      handoff,
      ...(inbox ? { inbox } : {}),
      random: () => {
        seed = (seed * 16807) % 2147483647;
        return seed / 2147483647;
      },
      ...(options.eraser ? { eraser: options.eraser } : {}),
    },
    { token: "123456:TEST", botInfo, ...(options.tipHistory ? { tipHistory: options.tipHistory } : {}) },
  );
  const calls: ApiCall[] = answerInProcess(bot.api, { fail: options.failMethod });
  let messageId = 1000;
  const webhook = createWebhookHandler({
    bot,
    secretToken: webhookSecret,
    logger,
    metrics,
    timeoutMilliseconds: 5000,
  });

  let updateId = 5000;
  const users = new Map<number, { first_name: string; language_code?: string }>();

  function from(userId: number) {
    const user = users.get(userId) ?? { first_name: `User${userId}`, language_code: "en" };
    return { id: userId, is_bot: false, ...user };
  }

  /** Builds a message update as Telegram sends it (commands get a bot_command entity). */
  function messageUpdate(userId: number, text: string): Update {
    const command = text.match(/^\/\w+/);
    return {
      update_id: ++updateId,
      message: {
        message_id: ++messageId,
        date: Math.floor(clock.now().getTime() / 1000),
        chat: { id: userId, type: "private", first_name: from(userId).first_name },
        from: from(userId),
        text,
        ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
      },
    } as Update;
  }

  /** Builds a callback_query update for a button press on message `messageId`. */
  function callbackUpdate(userId: number, data: string, messageIdOfButton = messageId): Update {
    return {
      update_id: ++updateId,
      callback_query: {
        id: `cb${updateId}`,
        from: from(userId),
        chat_instance: `ci${userId}`,
        data,
        message: {
          message_id: messageIdOfButton,
          date: Math.floor(clock.now().getTime() / 1000),
          chat: { id: userId, type: "private", first_name: from(userId).first_name },
          from: { ...botInfo },
          text: "(button message)",
          // Telegram sends the pressed message with its keyboard.
          reply_markup: { inline_keyboard: [[{ text: "(pressed)", callback_data: data }]] },
        },
      },
    } as Update;
  }

  /** An API Gateway HTTP API (payload 2.0) event carrying `body`. */
  function webhookEvent(body: string, secret: string | null = webhookSecret): APIGatewayProxyEventV2 {
    return {
      version: "2.0",
      routeKey: "POST /telegram/webhook",
      rawPath: "/telegram/webhook",
      rawQueryString: "",
      headers: {
        "content-type": "application/json",
        ...(secret === null ? {} : { "x-telegram-bot-api-secret-token": secret }),
      },
      requestContext: { http: { method: "POST", path: "/telegram/webhook", sourceIp: "127.0.0.1" } },
      body,
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
  }

  /** Delivers an update through the webhook handler, as API Gateway would; returns the HTTP status. */
  async function deliver(update: Update): Promise<number> {
    const result = await webhook(webhookEvent(JSON.stringify(update)));
    return result.statusCode ?? 200;
  }

  let seen = 0;
  /** Bot API calls since the previous call of `newCalls`. */
  function newCalls(): ApiCall[] {
    const fresh = calls.slice(seen);
    seen = calls.length;
    return fresh;
  }

  return {
    bot,
    clock,
    storage,
    logger,
    broadcasts,
    handoff,
    inbox,
    content,
    calls,
    webhook,
    webhookEvent,
    messageUpdate,
    callbackUpdate,
    deliver,
    newCalls,
    /** Registers how a user appears to the bot (name, Telegram language). */
    user(userId: number, user: { first_name?: string; language_code?: string }) {
      users.set(userId, {
        first_name: user.first_name ?? `User${userId}`,
        language_code: user.language_code,
      });
    },
    /** The user types `text`; returns the texts the bot sent back. */
    async say(userId: number, text: string) {
      newCalls();
      const status = await deliver(messageUpdate(userId, text));
      if (status !== 200) throw new Error(`webhook answered ${status}`);
      return newCalls();
    },
    /** The user presses a button with `data`; returns the calls the bot made. */
    async press(userId: number, data: string) {
      newCalls();
      const status = await deliver(callbackUpdate(userId, data));
      if (status !== 200) throw new Error(`webhook answered ${status}`);
      return newCalls();
    },
  };
}

/** The texts of sendMessage calls. */
export function texts(calls: ApiCall[]): string[] {
  return calls.filter((c) => c.method === "sendMessage").map((c) => String(c.payload.text));
}

/** The callback data of every inline button in the given calls (last message first is not implied). */
export function buttons(calls: ApiCall[]): { text: string; data: string }[] {
  return calls.flatMap((c) => {
    const markup = c.payload.reply_markup as
      | { inline_keyboard?: { text: string; callback_data?: string }[][] }
      | undefined;
    return (markup?.inline_keyboard ?? []).flat().map((b) => ({ text: b.text, data: b.callback_data ?? "" }));
  });
}
