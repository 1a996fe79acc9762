/**
 * The emulator's public types: its options, simulated users, transcripts, the calls log, faults, events and
 * counters. Kept apart from the class so the web chat and tools can import them without the server.
 */

import type {
  ForceReply,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
  ResponseParameters,
  Update,
  UserFromGetMe,
} from "grammy/types";
import type { EmulatorClock, RateLimits } from "./rate-limits";
import type { DeliveryAttempt, DeliveryOptions } from "./update-queue";

export type { EmulatorClock, RateLimits } from "./rate-limits";
export type { DeliveryAttempt, DeliveryOptions } from "./update-queue";

/** Structured logging, shaped like the bot's Logger port so the local stack can pass its own. */
export interface EmulatorLogger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

/** How to build an emulator; every field has a default suited to tests. */
export interface TelegramEmulatorOptions {
  /** The bot token requests must carry (default `defaultEmulatorToken`, "123456:LOCAL-EMULATOR-TOKEN"). */
  token?: string;
  /** Overrides of the `getMe` answer (default id from the token, username `lambdagram_local_bot`). */
  botInfo?: Partial<UserFromGetMe>;
  /** Time in ms for message dates and rate windows (default `Date.now`). */
  clock?: EmulatorClock;
  /** Flood limits; off unless `enabled: true`. */
  limits?: Partial<RateLimits>;
  /** Webhook retry timing. */
  delivery?: Partial<DeliveryOptions>;
  logger?: EmulatorLogger;
  /** About how many calls `emulator.calls` keeps (default 50 000), oldest dropped first; counters keep counting. */
  callLogLimit?: number;
  /** How long `GET /_emulator/events` waits for news before answering empty (default 25 s). */
  eventsLongPollMs?: number;
}

/** A simulated Telegram user; their private chat with the bot has the same id. */
export interface SimulatedUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code: string;
}

/** What `createUser` needs; everything has a default. */
export type NewSimulatedUser = Partial<SimulatedUser>;

/** Any `reply_markup` a bot may send. */
export type ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply;

/** A photo or document a message carries, with a URL the web chat can show it from. */
export interface TranscriptMedia {
  kind: "photo" | "document";
  fileId: string;
  fileName?: string;
  mimeType?: string;
  size?: number;
  /** The URL the bot sent, or `/_emulator/files/<file_id>` (relative to the emulator) for uploads. */
  url: string;
}

/** A message as a chat shows it: the current text and keyboard, and what happened to it since. */
export interface TranscriptEntry {
  chatId: number;
  messageId: number;
  sender: "user" | "bot";
  /** Unix seconds, as in the Bot API. */
  date: number;
  /** Text, or the caption of a media message. */
  text: string;
  entities: MessageEntity[];
  media?: TranscriptMedia;
  /** The markup the bot sent, including reply keyboards (Telegram's Message only echoes inline ones). */
  replyMarkup?: ReplyMarkup;
  replyToMessageId?: number;
  edited: boolean;
  editDate?: number;
  deleted: boolean;
  /** Earlier versions, oldest first. */
  previousVersions: Array<{
    text: string;
    entities: MessageEntity[];
    replyMarkup?: ReplyMarkup;
    replacedAt: number;
  }>;
  /** The full Bot API message as it stands now. */
  message: Message;
}

/** A Bot API answer body. */
export type BotApiResponse =
  | { ok: true; result: unknown; description?: string }
  | { ok: false; error_code: number; description: string; parameters?: ResponseParameters };

/** One Bot API call as the emulator served it. */
export interface CallRecord {
  seq: number;
  method: string;
  params: Record<string, unknown>;
  /** What the bot received; absent when an injected "network" fault destroyed the connection instead. */
  response?: BotApiResponse;
  /** Clock time in ms. */
  time: number;
  /** The injected fault that produced the response, if any. */
  fault?: FaultSpec["response"];
}

/** A failure to serve instead of running a method, for testing the bot's error handling. */
export interface FaultSpec {
  /** Bot API method name, e.g. "sendMessage" (case-insensitive). */
  method: string;
  /** Only calls for this chat_id; any chat if absent. */
  chatId?: number;
  /** How many matching calls fail (default 1). */
  times?: number;
  /**
   * 400 Bad Request (Telegram refusing what was sent, e.g. text its parser rejects), 429 Too Many Requests,
   * 403 blocked, 500, 502 Bad Gateway, or "network" (the socket is destroyed).
   */
  response: 400 | 429 | 403 | 500 | 502 | "network";
  /** `retry_after` seconds of a 429 (default 1). */
  retryAfter?: number;
  /** The 400's detail after "Bad Request: " (default "can't parse entities: injected by the emulator"). */
  detail?: string;
}

/** Something the web chat (or a test) may want to see live. */
export type EmulatorEvent =
  | { seq: number; type: "message" | "edit" | "delete"; chatId: number; entry: TranscriptEntry }
  | {
      seq: number;
      type: "callback_answer";
      chatId: number;
      callbackQueryId: string;
      messageId?: number;
      text?: string;
      showAlert: boolean;
      url?: string;
    }
  | { seq: number; type: "chat_action"; chatId: number; action: string }
  | { seq: number; type: "user"; chatId: number; user: SimulatedUser; blocked: boolean };

/** An event before the emulator numbers it. */
export type NewEvent = EmulatorEvent extends infer E ? (E extends unknown ? Omit<E, "seq"> : never) : never;

/** Counters for benchmarks and duplicate detection; they survive the calls log's trimming. */
export interface EmulatorStats {
  calls: number;
  callsByMethod: Record<string, number>;
  /** 429 answers served, from limits or injected faults. */
  tooManyRequests: number;
  faultsServed: number;
  /** Messages created by sendMessage / sendPhoto / sendDocument. */
  sentMessages: number;
  /** Messages created per chat id; a count above the expected one reveals duplicate sends. */
  sendsByChat: Record<string, number>;
  updatesCreated: number;
  deliveryAttempts: number;
  failedDeliveries: number;
}

/** The run-time switchable settings. */
export interface EmulatorSettings {
  limits: RateLimits;
  delivery: DeliveryOptions;
  blockedUserIds: number[];
}

/** A change of {@link EmulatorSettings}; `blockedUserIds` replaces the whole set. */
export interface EmulatorSettingsChange {
  limits?: Partial<RateLimits>;
  delivery?: Partial<DeliveryOptions>;
  blockedUserIds?: number[];
}

/** The emulator's EventEmitter events. */
export interface TelegramEmulatorEvents {
  /** Every Bot API call, after it was answered. */
  call: [CallRecord];
  /** A new message in any chat, from a user or the bot. */
  message: [TranscriptEntry];
  edit: [TranscriptEntry];
  delete: [TranscriptEntry];
  /** Every {@link EmulatorEvent} (what `GET /_emulator/events` serves). */
  event: [EmulatorEvent];
  /** An update created for the bot. */
  update: [Update];
  /** A webhook delivery attempt finished. */
  delivery: [DeliveryAttempt];
}

/** How the bot answered a callback query. */
export interface CallbackAnswer {
  text?: string;
  showAlert: boolean;
  url?: string;
}
