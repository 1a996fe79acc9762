/**
 * The grammY context every feature sees: the chat's state (loaded once, saved once per update), the
 * user's language and translator, and an outbox of Bot API calls sent only after the state is saved.
 */
import type { Context } from "grammy";
import type { InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove } from "grammy/types";
import type { Content } from "../content/schema";
import type { MetricDimension, MetricName } from "../contracts/metrics";
import type { IntentClassifier } from "../nlp/types";
import type { HandoffStore } from "./handoff/store/port";
import type { Translate } from "./i18n";
import type { InboxStore } from "./inbox/store/port";
import type { Metrics } from "./observability/metrics";
import type { BroadcastQueue, Clock, Logger, Mode } from "./ports";
import type { UserDataEraser } from "./privacy/eraser";
import type { StatsSources } from "./stats/collect";
import type { ChatState, Storage } from "./storage/port";

/** Configuration the operator sets (from Pulumi config on AWS, from the environment locally). */
export interface BotConfig {
  /** Tier used by chats that did not choose one with /mode. */
  defaultMode: Mode;
  /** Telegram user ids allowed to broadcast. */
  adminUserIds: readonly number[];
  /** Tip hour given to subscribers who did not pick one in their profile. */
  defaultTipHour: number;
  /** IANA time zone of tip hours (the schedule's, `SCHEDULE_TIMEZONE`), shown beside every hour; default UTC. */
  timeZone?: string;
  /**
   * Telegram chat of the operator's staff (a group): "Ask a person" hands users over to it (bot/handoff/).
   * Unset: the bot offers no human handoff.
   */
  supportChatId?: number;
  /** Days an inbox entry (a declined question, a "none of these", a 👎) is kept; default 90. */
  inboxRetentionDays: number;
  /** Days after which a user who blocked the bot is forgotten (all their data deleted); default 180. */
  forgetBlockedAfterDays: number;
}

/** The defaults of the settings an operator rarely changes (spread under the given ones). */
export const botConfigDefaults = {
  defaultTipHour: 9,
  inboxRetentionDays: 90,
  forgetBlockedAfterDays: 180,
} as const satisfies Partial<BotConfig>;

/** Everything the bot needs, injected: no environment reads, no AWS clients inside the bot. */
export interface BotDeps {
  content: Content;
  storage: Storage;
  classifiers: { rules: IntentClassifier; nlp?: IntentClassifier };
  broadcasts: BroadcastQueue;
  config: BotConfig;
  clock: Clock;
  logger: Logger;
  /** Random source in [0, 1) for varied chit-chat answers and run ids; injectable for repeatable tests. */
  random?: () => number;
  /** CloudWatch metrics (Embedded Metric Format); omitted in tests and local runs that do not need them. */
  metrics?: Metrics;
  /** Where /stats reads (metrics and table counts); without it /stats says stats are not set up here. */
  stats?: StatsSources;
  /** Human handoff threads (bot/handoff/); without it (or without `config.supportChatId`) no handoff is offered. */
  handoff?: HandoffStore;
  /**
   * Deletes everything about a user (/forget). The composition root passes one over every store that keeps
   * user data (bot/runtime/services.ts); without it, only `storage` is erased (answers, profile, chat state).
   */
  eraser?: UserDataEraser;
  /** What the bot could not answer, for admins to label (bot/inbox/); without it nothing is kept. */
  inbox?: InboxStore;
}

/** A Bot API call queued during an update and performed after the chat state is saved. */
export interface OutgoingCall {
  method: string;
  payload: Record<string, unknown>;
  /** What to do with the result once sent (see bot/replies.ts `registerSentHook`). */
  afterSent?: { hook: string; data: Record<string, unknown> };
}

/** A metric counted during an update, emitted after the state is saved. */
export interface PendingMetric {
  name: MetricName;
  dimensions?: Partial<Record<MetricDimension, string>>;
}

/** Keyboard types a reply can carry. */
export type ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove;

/** Per-update fields added by the conversation middleware. */
export interface ConversationFlavor {
  /** The chat state; mutate it freely, it is saved (versioned) when the update is done. */
  session: ChatState;
  /** The user's language for this update. */
  lang: string;
  /** Translator for {@link lang}. */
  t: Translate;
  /** Bot API calls to perform once the state is saved (see {@link say}). */
  outbox: OutgoingCall[];
  /** Metrics to emit once the state is saved (see {@link count}). */
  pendingMetrics: PendingMetric[];
  /** Queues a text message to this chat; it is sent after the state is saved. */
  say(text: string, options?: { reply_markup?: ReplyMarkup; parse_mode?: "HTML" | "MarkdownV2" }): void;
  /** Queues any Bot API call (edits, callback answers) for after the state is saved. */
  queue(method: string, payload: Record<string, unknown>): void;
  /**
   * Runs a side effect outside the chat state (a profile write, a stored record) and the reads that decide it
   * once per update: when a version conflict makes the update run again on fresh state, the second run gets the
   * first run's result, so it tells the user what the first one did ("subscribed", not "already subscribed").
   */
  once<T>(key: string, effect: () => Promise<T>): Promise<T>;
  /** Counts a metric once the state is saved (so a re-run after a conflict does not count twice). */
  count(name: MetricName, dimensions?: Partial<Record<MetricDimension, string>>): void;
  /**
   * Set by a feature (the confirmed /forget) to erase this user instead of saving the chat: the conversation
   * runs the eraser (the chat state included), saves nothing, and sends the outbox straight away.
   */
  erase?: { userId: number };
  deps: BotDeps;
}

/** The context type of Lambdagram's bot. */
export type BotContext = Context & ConversationFlavor;
