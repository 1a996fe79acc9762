/**
 * A Telegram Bot API server on loopback, so the bot runs locally and in end-to-end tests exactly as in
 * production: grammY talks to it unmodified through `client.apiRoot`, updates reach the bot by webhook (in
 * order per chat, retried on failure) or `getUpdates`, and sends are checked against Telegram's flood limits,
 * blocked users and injected faults. Simulated users write texts and press buttons through a JavaScript API
 * (for tests) or the `/_emulator/` control API (for the web chat of `npm start`).
 */

import { EventEmitter } from "node:events";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  BotCommand,
  CallbackQuery,
  Chat,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  ReplyKeyboardMarkup,
  Update,
  User,
  UserFromGetMe,
} from "grammy/types";
import { serveControlApi } from "./control-api";
import {
  BotApiError,
  badRequest,
  DuplicateChatError,
  EmulatorAlreadyStartedError,
  EmulatorNotStartedError,
  EmulatorStoppedError,
  EmulatorWaitTimeoutError,
  forbidden,
  InjectedNetworkFaultError,
  InlineButtonNotFoundError,
  InvalidEmulatorInputError,
  MessageNotFoundError,
  ReplyButtonNotFoundError,
  tooManyRequests,
  UnknownChatError,
  UnknownUserError,
  UserBlockedBotError,
} from "./errors";
import { commandEntities, EntityParseError, formatText, isSupportedParseMode } from "./formatting";
import { parseRequestPayload, RequestBodyError, readBody } from "./http-body";
import {
  type ChatRecord,
  chatActions,
  documentOf,
  mediaOf,
  mimeTypeOf,
  notModified,
  photoSize,
  type StoredFile,
  type StoredMessage,
  sameJson,
  telegramUser,
  transcriptEntry,
  validReplyMarkup,
} from "./messages";
import { BotApiParams } from "./params";
import {
  defaultRateLimits,
  type EmulatorClock,
  mergeRateLimits,
  RateLimiter,
  type RateLimits,
} from "./rate-limits";
import type {
  BotApiResponse,
  CallbackAnswer,
  CallRecord,
  EmulatorEvent,
  EmulatorLogger,
  EmulatorSettings,
  EmulatorSettingsChange,
  EmulatorStats,
  FaultSpec,
  NewEvent,
  NewSimulatedUser,
  ReplyMarkup,
  SimulatedUser,
  TelegramEmulatorEvents,
  TelegramEmulatorOptions,
  TranscriptEntry,
  TranscriptMedia,
} from "./types";
import {
  type DeliveryAttempt,
  type DeliveryOptions,
  defaultDeliveryOptions,
  UpdateQueue,
} from "./update-queue";

export type * from "./types";

/** The token the emulator accepts unless told otherwise; fake, so it can sit in configs and tests. */
export const defaultEmulatorToken = "123456:LOCAL-EMULATOR-TOKEN";

interface CallbackQueryRecord {
  query: CallbackQuery;
  chatId: number;
  answer?: CallbackAnswer;
}

type MethodRunner = (params: BotApiParams, cancelled: AbortSignal) => unknown;

/** A method result that Telegram answers with a `description` next to it (setWebhook, deleteWebhook). */
class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

const maxUploadBytes = 50 * 1024 * 1024;
const eventBufferSize = 2000;
const rateLimitedMethods = new Set(["sendMessage", "sendPhoto", "sendDocument", "editMessageText"]);
const unauthorized: BotApiResponse = { ok: false, error_code: 401, description: "Unauthorized" };
const notFound: BotApiResponse = { ok: false, error_code: 404, description: "Not Found" };

/**
 * The emulator. One instance is one bot: `start()` serves it on its own port, or `handle(req, res)` mounts it
 * on another node:http server (paths `/bot<token>/...` and `/_emulator/...`).
 */
export class TelegramEmulator extends EventEmitter<TelegramEmulatorEvents> {
  /** The token requests must carry. */
  readonly token: string;
  /** The `getMe` answer. */
  readonly botInfo: UserFromGetMe;
  private readonly clock: EmulatorClock;
  private readonly logger: EmulatorLogger;
  private readonly limiter: RateLimiter;
  private deliveryOptions: DeliveryOptions;
  private readonly queue: UpdateQueue;
  private readonly callLogLimit: number;
  /** Default wait of `GET /_emulator/events`. */
  readonly eventsLongPollMs: number;
  private server: http.Server | undefined;
  private baseUrl: string | undefined;
  private readonly usersById = new Map<number, SimulatedUser>();
  private readonly chats = new Map<number, ChatRecord>();
  private readonly blocked = new Set<number>();
  private readonly files = new Map<string, StoredFile>();
  private readonly commands = new Map<string, BotCommand[]>();
  private readonly callbackQueries = new Map<string, CallbackQueryRecord>();
  private faults: Array<FaultSpec & { times: number }> = [];
  private callLog: CallRecord[] = [];
  private deliveryLog: DeliveryAttempt[] = [];
  private eventLog: EmulatorEvent[] = [];
  private readonly changeWatchers = new Set<() => void>();
  private readonly eventWaiters = new Set<() => void>();
  private counters = emptyStats();
  private lastSeq = {
    call: 0,
    event: 0,
    update: 0,
    user: 100_000_000,
    group: 4_000_000_000,
    file: 0,
    query: 0,
  };
  private readonly methods: Map<string, { name: string; run: MethodRunner }>;
  private stopped = false;

  constructor(options: TelegramEmulatorOptions = {}) {
    super();
    this.token = options.token ?? defaultEmulatorToken;
    const idFromToken = Number(this.token.split(":")[0]);
    this.botInfo = {
      id: Number.isSafeInteger(idFromToken) && idFromToken > 0 ? idFromToken : 123456,
      is_bot: true,
      first_name: "Lambdagram (local)",
      username: "lambdagram_local_bot",
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
      ...options.botInfo,
    };
    this.clock = options.clock ?? { now: () => Date.now() };
    this.logger = options.logger ?? {};
    this.limiter = new RateLimiter(
      this.clock,
      mergeRateLimits({ ...defaultRateLimits }, options.limits ?? {}),
    );
    this.deliveryOptions = mergeDeliveryOptions({ ...defaultDeliveryOptions }, options.delivery ?? {});
    this.callLogLimit = options.callLogLimit ?? 50_000;
    this.eventsLongPollMs = options.eventsLongPollMs ?? 25_000;
    this.queue = new UpdateQueue({
      clock: this.clock,
      delivery: () => this.deliveryOptions,
      runWebhookReply: async (method, params) => {
        await this.execute(method, BotApiParams.of(params), new AbortController().signal);
      },
      onDeliveryAttempt: (attempt) => this.recordDelivery(attempt),
      onChange: () => this.signalChange(),
    });
    const runners: Record<string, MethodRunner> = {
      getMe: () => this.botInfo,
      setWebhook: (p) => this.setWebhook(p),
      deleteWebhook: (p) => this.deleteWebhook(p),
      getWebhookInfo: () => this.queue.webhookInfo(),
      getUpdates: (p, cancelled) => this.getUpdates(p, cancelled),
      sendMessage: (p) => this.sendMessage(p),
      sendPhoto: (p) => this.sendMedia(p, "photo"),
      sendDocument: (p) => this.sendMedia(p, "document"),
      editMessageText: (p) => this.editMessageText(p),
      editMessageCaption: (p) => this.editMessageCaption(p),
      editMessageReplyMarkup: (p) => this.editMessageReplyMarkup(p),
      deleteMessage: (p) => this.deleteMessage(p),
      answerCallbackQuery: (p) => this.answerCallbackQuery(p),
      sendChatAction: (p) => this.sendChatAction(p),
      setMyCommands: (p) => this.setMyCommands(p),
      getMyCommands: (p) => this.commands.get(this.commandsKey(p)) ?? [],
      deleteMyCommands: (p) => {
        this.commands.delete(this.commandsKey(p));
        return true;
      },
    };
    this.methods = new Map(Object.entries(runners).map(([name, run]) => [name.toLowerCase(), { name, run }]));
  }

  // ------------------------------------------------------------------------------------------ lifecycle

  /** Serves the emulator on its own loopback port (0 = any free port); returns the base URL. */
  async start(port = 0, host = "127.0.0.1"): Promise<string> {
    if (this.stopped) throw new EmulatorStoppedError();
    if (this.server) throw new EmulatorAlreadyStartedError(this.apiRoot);
    const server = http.createServer((req, res) => {
      if (!this.handle(req, res)) sendJson(res, 404, notFound);
    });
    // grammY's keep-alive agent never closes idle sockets itself; a long server-side idle timeout makes it rare
    // that a call races the server closing the socket (stop() closes every connection anyway).
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const urlHost =
      host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
    this.server = server;
    this.baseUrl = `http://${urlHost}:${address.port}`;
    this.logger.info?.("Telegram emulator listening", { apiRoot: this.baseUrl, bot: this.botInfo.username });
    return this.baseUrl;
  }

  /** Stops webhook delivery and long polls and closes the server if `start()` opened it. Not restartable. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.stop();
    for (const wake of [...this.eventWaiters]) wake();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Declares the base URL when the emulator is mounted on another server through {@link handle}. */
  useBaseUrl(url: string): void {
    this.baseUrl = url.replace(/\/+$/, "");
  }

  /** Base URL for grammY's `client.apiRoot` (e.g. `http://127.0.0.1:43121`). */
  get apiRoot(): string {
    if (this.baseUrl === undefined) throw new EmulatorNotStartedError();
    return this.baseUrl;
  }

  /**
   * Serves a request if it is for the emulator (`/bot...` Bot API, `/_emulator/...` control API) and returns
   * true; returns false untouched otherwise, so a host server can route the rest itself.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? "/", "http://emulator.local");
    const path = url.pathname;
    if (path === "/_emulator" || path.startsWith("/_emulator/")) {
      serveControlApi(this, req, res, url).catch((error: unknown) => this.failRequest(res, error));
      return true;
    }
    if (!path.startsWith("/bot")) return false;
    const match = /^\/bot([^/]+)\/(?:test\/)?([A-Za-z]+)\/?$/.exec(path);
    if (!match) {
      sendJson(res, 404, notFound);
      return true;
    }
    this.serveBotApi(req, res, match[1] ?? "", match[2] ?? "", url.searchParams).catch((error: unknown) =>
      this.failRequest(res, error),
    );
    return true;
  }

  // ------------------------------------------------------------------------------------------ simulated users

  /** Creates a simulated user (and their private chat with the bot). */
  createUser(input: NewSimulatedUser = {}): SimulatedUser {
    for (const field of ["first_name", "last_name", "username", "language_code"] as const) {
      const value: unknown = input[field];
      if (value !== undefined && typeof value !== "string") {
        throw new InvalidEmulatorInputError(
          `A user's ${field} must be a string, got ${JSON.stringify(value)}.`,
        );
      }
    }
    const id = input.id ?? this.freshId("user");
    if (!Number.isSafeInteger(id) || id <= 0) {
      throw new InvalidEmulatorInputError(`A user id must be a positive integer, got ${String(id)}.`);
    }
    if (this.chats.has(id)) throw new DuplicateChatError(id);
    const user: SimulatedUser = {
      id,
      first_name: input.first_name ?? `User ${id}`,
      ...(input.last_name ? { last_name: input.last_name } : {}),
      ...(input.username ? { username: input.username } : {}),
      language_code: input.language_code ?? "en",
    };
    this.usersById.set(id, user);
    const chat: Chat.PrivateChat = {
      id,
      type: "private",
      first_name: user.first_name,
      ...(user.last_name ? { last_name: user.last_name } : {}),
      ...(user.username ? { username: user.username } : {}),
    };
    this.chats.set(id, { chat, nextMessageId: 1, messages: new Map() });
    this.pushEvent({ type: "user", chatId: id, user: { ...user }, blocked: false });
    return { ...user };
  }

  /** Creates a group chat (negative id) where simulated users can write with `sendText(..., { chatId })`. */
  createGroup(input: { id?: number; title?: string } = {}): Chat.GroupChat {
    const id = input.id ?? -this.freshId("group");
    if (!Number.isSafeInteger(id) || id >= 0) {
      throw new InvalidEmulatorInputError(`A group id must be a negative integer, got ${String(id)}.`);
    }
    if (this.chats.has(id)) throw new DuplicateChatError(id);
    const chat: Chat.GroupChat = { id, type: "group", title: input.title ?? `Group ${-id}` };
    this.chats.set(id, { chat, nextMessageId: 1, messages: new Map() });
    return { ...chat };
  }

  /** All simulated users, oldest first. */
  users(): SimulatedUser[] {
    return [...this.usersById.values()].map((user) => ({ ...user }));
  }

  /** One simulated user; throws {@link UnknownUserError} if it was never created. */
  user(userId: number): SimulatedUser {
    return { ...this.requireUser(userId) };
  }

  /** The user blocks the bot: sends to them answer 403, and the bot gets a `my_chat_member` update. */
  blockUser(userId: number, options: { notifyBot?: boolean } = {}): void {
    this.setBlocked(userId, true, options.notifyBot ?? true);
  }

  /** The user restarts the bot after blocking it. */
  unblockUser(userId: number, options: { notifyBot?: boolean } = {}): void {
    this.setBlocked(userId, false, options.notifyBot ?? true);
  }

  /** Whether the user has blocked the bot. */
  isBlocked(userId: number): boolean {
    return this.blocked.has(userId);
  }

  /**
   * The user writes `text` (in their private chat, or in `chatId`); returns the update queued for the bot.
   * Commands get `bot_command` entities as Telegram adds them.
   */
  sendText(userId: number, text: string, options: { chatId?: number } = {}): Update {
    const user = this.requireActiveUser(userId);
    const record = this.requireChat(options.chatId ?? userId);
    if (text.trim() === "") {
      throw new InvalidEmulatorInputError("Telegram clients cannot send an empty message; pass some text.");
    }
    const entities = commandEntities(text);
    const message = {
      message_id: record.nextMessageId++,
      from: telegramUser(user),
      chat: { ...record.chat },
      date: this.unixNow(),
      text,
      ...(entities.length > 0 ? { entities } : {}),
    } as Message;
    this.storeMessage(record, {
      chatId: record.chat.id,
      sender: "user",
      message,
      previousVersions: [],
      deleted: false,
    });
    return this.createUpdate(
      { message: structuredClone(message) } as Omit<Update, "update_id">,
      record.chat.id,
    );
  }

  /**
   * The user presses an inline button with `callbackData` on a bot message; returns the `callback_query`
   * update. Throws if the message does not show such a button, as a real client could not press it.
   */
  pressButton(
    userId: number,
    messageId: number,
    callbackData: string,
    options: { chatId?: number } = {},
  ): Update {
    const user = this.requireActiveUser(userId);
    const record = this.requireChat(options.chatId ?? userId);
    const stored = record.messages.get(messageId);
    if (!stored || stored.deleted || stored.sender !== "bot")
      throw new MessageNotFoundError(record.chat.id, messageId);
    const available = (stored.message.reply_markup?.inline_keyboard ?? [])
      .flat()
      .flatMap((button) => ("callback_data" in button && button.callback_data ? [button.callback_data] : []));
    if (!available.includes(callbackData)) {
      throw new InlineButtonNotFoundError(record.chat.id, messageId, callbackData, available);
    }
    const id = String(4_000_000_000_000_000 + this.freshId("query"));
    const query: CallbackQuery = {
      id,
      from: telegramUser(user),
      message: structuredClone(stored.message) as CallbackQuery["message"],
      chat_instance: String(BigInt(record.chat.id) * 7919n + BigInt(this.botInfo.id)),
      data: callbackData,
    } as CallbackQuery;
    this.callbackQueries.set(id, { query, chatId: record.chat.id });
    return this.createUpdate({ callback_query: structuredClone(query) }, record.chat.id);
  }

  /** The user taps a button of the reply keyboard the chat shows, which sends its text. */
  pressReplyButton(userId: number, text: string, options: { chatId?: number } = {}): Update {
    const record = this.requireChat(options.chatId ?? userId);
    const available = (record.replyKeyboard?.keyboard ?? [])
      .flat()
      .map((button) => (typeof button === "string" ? button : button.text));
    if (!available.includes(text)) throw new ReplyButtonNotFoundError(record.chat.id, text, available);
    const update = this.sendText(userId, text, options);
    if (record.replyKeyboard?.one_time_keyboard) record.replyKeyboard = undefined;
    return update;
  }

  // ------------------------------------------------------------------------------------------ inspection

  /** The chat's messages in order (user's and bot's), with their current content, edits and deletions. */
  chatHistory(chatId: number): TranscriptEntry[] {
    return [...this.requireChat(chatId).messages.values()].map((stored) => transcriptEntry(stored));
  }

  /** The bot's newest message in a chat that is not deleted, if any. */
  lastBotMessage(chatId: number): TranscriptEntry | undefined {
    const messages = [...this.requireChat(chatId).messages.values()];
    const last = messages.reverse().find((stored) => stored.sender === "bot" && !stored.deleted);
    return last ? transcriptEntry(last) : undefined;
  }

  /** The reply keyboard the chat currently shows, if any. */
  replyKeyboard(chatId: number): ReplyKeyboardMarkup | undefined {
    const keyboard = this.requireChat(chatId).replyKeyboard;
    return keyboard ? structuredClone(keyboard) : undefined;
  }

  /** The commands a user's menu shows in a chat, resolved through scopes and languages as Telegram does. */
  menuCommands(chatId: number, languageCode = ""): BotCommand[] {
    const record = this.requireChat(chatId);
    const scopes =
      record.chat.type === "private"
        ? [{ type: "chat", chat_id: chatId }, { type: "all_private_chats" }, { type: "default" }]
        : [{ type: "chat", chat_id: chatId }, { type: "all_group_chats" }, { type: "default" }];
    for (const scope of scopes) {
      for (const language of languageCode ? [languageCode, ""] : [""]) {
        const commands = this.commands.get(commandsKey(scope, language));
        if (commands) return structuredClone(commands);
      }
    }
    return [];
  }

  /** How the bot answered a callback query (pass `update.callback_query.id`); undefined until it did. */
  callbackAnswer(callbackQueryId: string): CallbackAnswer | undefined {
    const answer = this.callbackQueries.get(callbackQueryId)?.answer;
    return answer ? { ...answer } : undefined;
  }

  /** Every Bot API call served (the newest `callLogLimit`), oldest first. */
  get calls(): readonly CallRecord[] {
    return this.callLog;
  }

  /** The calls of one method, e.g. `callsOf("sendMessage")`. */
  callsOf(method: string): CallRecord[] {
    const wanted = method.toLowerCase();
    return this.callLog.filter((call) => call.method.toLowerCase() === wanted);
  }

  /** Every webhook delivery attempt, oldest first. */
  get deliveries(): readonly DeliveryAttempt[] {
    return this.deliveryLog;
  }

  /** What `getWebhookInfo` answers right now. */
  webhookInfo(): Record<string, unknown> {
    return this.queue.webhookInfo();
  }

  /** Counters since the start (or the last {@link resetStats}). */
  stats(): EmulatorStats {
    return structuredClone(this.counters);
  }

  /** Messages the bot created in a chat (sends, not edits). */
  sendCount(chatId: number): number {
    return this.counters.sendsByChat[String(chatId)] ?? 0;
  }

  /** Zeroes the counters and empties the calls and deliveries logs (between benchmark runs). */
  resetStats(): void {
    this.counters = emptyStats();
    this.callLog = [];
    this.deliveryLog = [];
  }

  /** A stored file's bytes (uploads only) and type, for the web chat. */
  file(fileId: string): { data?: Buffer; mimeType: string; url?: string; fileName?: string } | undefined {
    const file = this.files.get(fileId);
    if (!file) return undefined;
    return {
      mimeType: file.mimeType ?? (file.kind === "photo" ? "image/jpeg" : "application/octet-stream"),
      ...(file.data ? { data: file.data } : {}),
      ...(file.url ? { url: file.url } : {}),
      ...(file.fileName ? { fileName: file.fileName } : {}),
    };
  }

  /** Events with a sequence number above `since`, oldest first (the newest 2000 are kept). */
  eventsSince(since: number, chatId?: number): EmulatorEvent[] {
    return this.eventLog.filter(
      (event) => event.seq > since && (chatId === undefined || event.chatId === chatId),
    );
  }

  /** Sequence number of the newest event (0 before any). */
  get lastEventSeq(): number {
    return this.lastSeq.event;
  }

  /** Waits until there are events after `since` (or `timeoutMs` passes, or the signal aborts), then lists them. */
  async nextEvents(
    since: number,
    options: { timeoutMs?: number; chatId?: number; signal?: AbortSignal } = {},
  ): Promise<EmulatorEvent[]> {
    const ready = this.eventsSince(since, options.chatId);
    if (ready.length > 0 || options.signal?.aborted || this.stopped) return ready;
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.eventWaiters.delete(check);
        options.signal?.removeEventListener("abort", finish);
        resolve();
      };
      const check = () => {
        if (this.eventsSince(since, options.chatId).length > 0 || this.stopped) finish();
      };
      const timer = setTimeout(finish, options.timeoutMs ?? this.eventsLongPollMs);
      timer.unref();
      options.signal?.addEventListener("abort", finish);
      this.eventWaiters.add(check);
    });
    return this.eventsSince(since, options.chatId);
  }

  // ------------------------------------------------------------------------------------------ waiting

  /**
   * Resolves with the predicate's first truthy value, re-checking after every call, message, update and
   * delivery; rejects with {@link EmulatorWaitTimeoutError} after `timeoutMs` (default 5 s).
   */
  waitFor<T>(
    predicate: () => T | undefined | null | false,
    options: { timeoutMs?: number; description?: string } = {},
  ): Promise<T> {
    const first = predicate();
    if (first) return Promise.resolve(first);
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        try {
          const value = predicate();
          if (value) {
            cleanup();
            resolve(value);
          }
        } catch (error) {
          cleanup();
          reject(error);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new EmulatorWaitTimeoutError(options.description ?? "the condition passed to waitFor()", timeoutMs),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.changeWatchers.delete(check);
      };
      this.changeWatchers.add(check);
    });
  }

  /** Resolves when no update is pending or in flight, i.e. the bot has handled everything sent so far. */
  async idle(options: { timeoutMs?: number } = {}): Promise<void> {
    try {
      await this.waitFor(() => this.queue.pendingCount === 0, {
        timeoutMs: options.timeoutMs ?? 10_000,
        description: "every update to be delivered and handled",
      });
    } catch (error) {
      if (!(error instanceof EmulatorWaitTimeoutError)) throw error;
      const info = this.queue.webhookInfo();
      throw new EmulatorWaitTimeoutError(
        `every update to be delivered and handled (${this.queue.pendingCount} still pending, webhook ` +
          `${info.url ? `${String(info.url)}, last error: ${String(info.last_error_message ?? "none")}` : "not set and no getUpdates confirmed them"})`,
        error.timeoutMs,
      );
    }
  }

  // ------------------------------------------------------------------------------------------ settings and faults

  /** The current limits, delivery timing and blocked users. */
  settings(): EmulatorSettings {
    return {
      limits: { ...this.limiter.limits },
      delivery: { ...this.deliveryOptions },
      blockedUserIds: [...this.blocked],
    };
  }

  /** Changes settings at run time; validates everything before applying anything. */
  updateSettings(change: EmulatorSettingsChange): EmulatorSettings {
    const limits = mergeRateLimits(this.limiter.limits, change.limits ?? {});
    const delivery = mergeDeliveryOptions(this.deliveryOptions, change.delivery ?? {});
    const blockedUserIds = change.blockedUserIds;
    if (blockedUserIds) for (const userId of blockedUserIds) this.requireUser(userId);
    this.limiter.limits = limits;
    this.deliveryOptions = delivery;
    if (blockedUserIds) {
      for (const userId of [...this.blocked]) if (!blockedUserIds.includes(userId)) this.unblockUser(userId);
      for (const userId of blockedUserIds) if (!this.blocked.has(userId)) this.blockUser(userId);
    }
    return this.settings();
  }

  /** Shorthand for `updateSettings({ limits })`, e.g. `setLimits({ enabled: true })`. */
  setLimits(change: Partial<RateLimits>): RateLimits {
    return this.updateSettings({ limits: change }).limits;
  }

  /** Makes the next matching calls fail instead of running (see {@link FaultSpec}). */
  injectFaults(faults: FaultSpec[]): void {
    for (const fault of faults) {
      if (typeof fault.method !== "string" || fault.method === "") {
        throw new InvalidEmulatorInputError(
          'A fault needs the Bot API method it applies to, e.g. { method: "sendMessage" }.',
        );
      }
      if (![429, 403, 500, 502, "network"].includes(fault.response)) {
        throw new InvalidEmulatorInputError(
          `Fault response ${JSON.stringify(fault.response)} is not one of 429, 403, 500, 502, "network".`,
        );
      }
      const times = fault.times ?? 1;
      if (!Number.isInteger(times) || times < 1) {
        throw new InvalidEmulatorInputError(
          `Fault "times" must be a positive integer, got ${String(fault.times)}.`,
        );
      }
    }
    this.faults.push(...faults.map((fault) => ({ ...fault, times: fault.times ?? 1 })));
  }

  /** Faults not yet served, with their remaining `times`. */
  pendingFaults(): FaultSpec[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  /** Forgets the faults not yet served. */
  clearFaults(): void {
    this.faults = [];
  }

  // ------------------------------------------------------------------------------------------ Bot API

  /** Runs a Bot API method without HTTP (records it like an HTTP call); throws on an injected network fault. */
  async invoke(method: string, params: Record<string, unknown> = {}): Promise<BotApiResponse> {
    const outcome = await this.execute(method, BotApiParams.of(params), new AbortController().signal);
    if (outcome === "network") throw new InjectedNetworkFaultError(method);
    return outcome;
  }

  private async serveBotApi(
    req: IncomingMessage,
    res: ServerResponse,
    token: string,
    method: string,
    query: URLSearchParams,
  ): Promise<void> {
    if (token !== this.token) {
      req.resume();
      this.recordCall(method, {}, unauthorized);
      sendJson(res, 401, unauthorized);
      return;
    }
    let params: BotApiParams;
    try {
      const body = await readBody(req, maxUploadBytes);
      params = new BotApiParams(parseRequestPayload(req.headers["content-type"], body, query));
    } catch (error) {
      if (!(error instanceof RequestBodyError)) throw error;
      sendJson(res, error.status, { ok: false, error_code: error.status, description: error.message });
      return;
    }
    const cancelled = new AbortController();
    res.once("close", () => cancelled.abort());
    const outcome = await this.execute(method, params, cancelled.signal);
    if (outcome === "network") {
      req.socket.destroy();
      return;
    }
    if (!res.writableEnded && !res.destroyed) sendJson(res, outcome.ok ? 200 : outcome.error_code, outcome);
  }

  private async execute(
    requestedMethod: string,
    params: BotApiParams,
    cancelled: AbortSignal,
  ): Promise<BotApiResponse | "network"> {
    const method = this.methods.get(requestedMethod.toLowerCase());
    if (!method) {
      this.recordCall(requestedMethod, params.forLog(), notFound);
      return notFound;
    }
    const fault = this.takeFault(method.name, params);
    if (fault) {
      this.counters.faultsServed += 1;
      if (fault.response === "network") {
        this.recordCall(method.name, params.forLog(), undefined, fault.response);
        return "network";
      }
      const response = errorResponse(faultError(fault));
      this.recordCall(method.name, params.forLog(), response, fault.response);
      return response;
    }
    let response: BotApiResponse;
    try {
      const value = await method.run(params, cancelled);
      response =
        value instanceof Described
          ? { ok: true, result: value.result, description: value.description }
          : { ok: true, result: value };
    } catch (error) {
      if (error instanceof BotApiError) response = errorResponse(error);
      else {
        const message = error instanceof Error ? error.message : String(error);
        this.logger.error?.("Telegram emulator method failed", { method: method.name, error: message });
        response = { ok: false, error_code: 500, description: `Internal Server Error: ${message}` };
      }
    }
    this.recordCall(method.name, params.forLog(), response);
    return response;
  }

  private setWebhook(p: BotApiParams): Described {
    const url = p.string("url") ?? "";
    const dropPending = p.boolean("drop_pending_updates");
    if (url === "") return this.deleteWebhook(p);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest("bad webhook: Failed to resolve host: Name or service not known");
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
      throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
    }
    const secretToken = p.string("secret_token");
    if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
      throw badRequest("secret token contains unallowed characters");
    }
    const maxConnections = Math.min(100, Math.max(1, p.integer("max_connections") ?? 40));
    const previous = this.queue.webhook;
    this.queue.setWebhook(
      { url, maxConnections, ...(secretToken ? { secretToken } : {}) },
      p.stringList("allowed_updates"),
      dropPending,
    );
    const unchanged = previous?.url === url && previous.secretToken === secretToken;
    return new Described(true, unchanged ? "Webhook is already set" : "Webhook was set");
  }

  private deleteWebhook(p: BotApiParams): Described {
    const existed = this.queue.webhook !== undefined;
    this.queue.deleteWebhook(p.boolean("drop_pending_updates"));
    return new Described(true, existed ? "Webhook was deleted" : "Webhook is already deleted");
  }

  private getUpdates(p: BotApiParams, cancelled: AbortSignal): Promise<Update[]> {
    const offset = p.integer("offset");
    const allowedUpdates = p.stringList("allowed_updates");
    return this.queue.poll(
      {
        ...(offset === undefined ? {} : { offset }),
        limit: Math.min(100, Math.max(1, p.integer("limit") ?? 100)),
        timeoutMs: Math.min(50, Math.max(0, p.integer("timeout") ?? 0)) * 1000,
        ...(allowedUpdates ? { allowedUpdates } : {}),
      },
      cancelled,
    );
  }

  private sendMessage(p: BotApiParams): Message {
    const record = this.chatParam(p);
    const formatted = this.formattedParam(p, "text", "parse_mode", "entities");
    if (formatted.text.trim() === "") throw badRequest("message text is empty");
    if (formatted.text.length > 4096) throw badRequest("message is too long");
    const markup = this.replyMarkupParam(p);
    const replyTo = this.replyTargetParam(p, record);
    this.admitSend(record, p, "sendMessage");
    const content = {
      text: formatted.text,
      ...(formatted.entities.length > 0 ? { entities: formatted.entities } : {}),
    };
    return this.storeBotMessage(record, content, markup, replyTo, p);
  }

  private sendMedia(p: BotApiParams, kind: "photo" | "document"): Message {
    const record = this.chatParam(p);
    const file = this.fileParam(p, kind);
    const caption = this.formattedParam(p, "caption", "parse_mode", "caption_entities");
    if (caption.text.length > 1024) throw badRequest("message caption is too long");
    const markup = this.replyMarkupParam(p);
    const replyTo = this.replyTargetParam(p, record);
    this.admitSend(record, p, kind === "photo" ? "sendPhoto" : "sendDocument");
    const content = {
      ...(kind === "photo" ? { photo: [photoSize(file)] } : { document: documentOf(file) }),
      ...(caption.text ? { caption: caption.text } : {}),
      ...(caption.entities.length > 0 ? { caption_entities: caption.entities } : {}),
    };
    return this.storeBotMessage(record, content, markup, replyTo, p, mediaOf(file));
  }

  private editMessageText(p: BotApiParams): Message {
    const { record, stored } = this.editableMessage(p);
    const formatted = this.formattedParam(p, "text", "parse_mode", "entities");
    if (formatted.text.trim() === "") throw badRequest("message text is empty");
    if (formatted.text.length > 4096) throw badRequest("message is too long");
    if (stored.message.text === undefined) throw badRequest("there is no text in the message to edit");
    const markup = this.inlineMarkupParam(p);
    const current = stored.message;
    if (
      current.text === formatted.text &&
      sameJson(current.entities ?? [], formatted.entities) &&
      sameJson(current.reply_markup, markup)
    ) {
      throw badRequest(notModified);
    }
    this.admitSend(record, p, "editMessageText");
    return this.applyEdit(stored, { text: formatted.text, entities: formatted.entities }, markup);
  }

  private editMessageCaption(p: BotApiParams): Message {
    const { stored } = this.editableMessage(p);
    const caption = this.formattedParam(p, "caption", "parse_mode", "caption_entities");
    if (caption.text.length > 1024) throw badRequest("message caption is too long");
    if (!stored.media) throw badRequest("there is no caption in the message to edit");
    const markup = this.inlineMarkupParam(p);
    const current = stored.message;
    if (
      (current.caption ?? "") === caption.text &&
      sameJson(current.caption_entities ?? [], caption.entities) &&
      sameJson(current.reply_markup, markup)
    ) {
      throw badRequest(notModified);
    }
    return this.applyEdit(stored, { caption: caption.text, caption_entities: caption.entities }, markup);
  }

  private editMessageReplyMarkup(p: BotApiParams): Message {
    const { stored } = this.editableMessage(p);
    const markup = this.inlineMarkupParam(p);
    if (sameJson(stored.message.reply_markup, markup)) throw badRequest(notModified);
    return this.applyEdit(stored, {}, markup);
  }

  private deleteMessage(p: BotApiParams): true {
    const record = this.chatParam(p);
    const messageId = p.integer("message_id", "message identifier is not specified");
    if (messageId === undefined) throw badRequest("message identifier is not specified");
    const stored = record.messages.get(messageId);
    if (!stored || stored.deleted) throw badRequest("message to delete not found");
    stored.deleted = true;
    const entry = transcriptEntry(stored);
    this.pushEvent({ type: "delete", chatId: record.chat.id, entry });
    this.emit("delete", entry);
    return true;
  }

  private answerCallbackQuery(p: BotApiParams): true {
    const id = p.string("callback_query_id");
    const record = id === undefined ? undefined : this.callbackQueries.get(id);
    if (!record || record.answer) {
      throw badRequest("query is too old and response timeout expired or query ID is invalid");
    }
    const text = p.string("text");
    if (text !== undefined && text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
    const url = p.string("url");
    record.answer = {
      ...(text ? { text } : {}),
      showAlert: p.boolean("show_alert"),
      ...(url ? { url } : {}),
    };
    const messageId = record.query.message?.message_id;
    this.pushEvent({
      type: "callback_answer",
      chatId: record.chatId,
      callbackQueryId: record.query.id,
      ...(messageId === undefined ? {} : { messageId }),
      ...record.answer,
    });
    return true;
  }

  private sendChatAction(p: BotApiParams): true {
    const record = this.chatParam(p);
    const action = p.string("action") ?? "";
    if (!chatActions.has(action)) throw badRequest("wrong parameter action in request");
    if (this.blocked.has(record.chat.id)) throw forbidden("bot was blocked by the user");
    this.pushEvent({ type: "chat_action", chatId: record.chat.id, action });
    return true;
  }

  private setMyCommands(p: BotApiParams): true {
    const commands = p.json<unknown>("commands", "commands");
    if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
    if (commands.length > 100) throw badRequest("BOT_COMMANDS_TOO_MUCH");
    const valid: BotCommand[] = commands.map((item: unknown) => {
      const { command, description } = (item ?? {}) as Partial<BotCommand>;
      if (typeof command !== "string" || !/^[a-z0-9_]{1,32}$/.test(command.replace(/^\//, ""))) {
        throw badRequest("BOT_COMMAND_INVALID");
      }
      if (typeof description !== "string" || description.length < 1 || description.length > 256) {
        throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
      }
      return { command: command.replace(/^\//, ""), description };
    });
    const key = this.commandsKey(p);
    if (valid.length === 0) this.commands.delete(key);
    else this.commands.set(key, valid);
    return true;
  }

  // ------------------------------------------------------------------------------------------ method helpers

  private chatParam(p: BotApiParams): ChatRecord {
    const raw = p.string("chat_id");
    if (raw === undefined || raw === "") throw badRequest("chat_id is empty");
    const chatId = Number(raw);
    const record = Number.isSafeInteger(chatId) ? this.chats.get(chatId) : undefined;
    if (!record) throw badRequest("chat not found");
    return record;
  }

  private formattedParam(p: BotApiParams, textField: string, modeField: string, entitiesField: string) {
    const source = p.string(textField) ?? "";
    const parseMode = p.string(modeField);
    if (parseMode) {
      if (!isSupportedParseMode(parseMode)) throw badRequest("unsupported parse_mode");
      try {
        return formatText(source, parseMode);
      } catch (error) {
        if (error instanceof EntityParseError) throw badRequest(`can't parse entities: ${error.message}`);
        throw error;
      }
    }
    const entities = p.json<MessageEntity[]>(entitiesField, "entities");
    return { text: source, entities: Array.isArray(entities) ? entities : [] };
  }

  private replyMarkupParam(p: BotApiParams): ReplyMarkup | undefined {
    const markup = p.json<unknown>("reply_markup", "reply keyboard markup");
    return markup === undefined ? undefined : validReplyMarkup(markup);
  }

  /** Edits accept only inline keyboards; no markup removes the message's keyboard, as in Telegram. */
  private inlineMarkupParam(p: BotApiParams): InlineKeyboardMarkup | undefined {
    const markup = this.replyMarkupParam(p);
    if (markup === undefined) return undefined;
    if (!("inline_keyboard" in markup)) throw badRequest("inline keyboard expected");
    return markup.inline_keyboard.length > 0 ? markup : undefined;
  }

  private replyTargetParam(p: BotApiParams, record: ChatRecord): Message | undefined {
    const parameters = p.json<{ message_id?: unknown; allow_sending_without_reply?: unknown }>(
      "reply_parameters",
      "reply parameters",
    );
    const messageId = parameters?.message_id ?? p.integer("reply_to_message_id");
    if (messageId === undefined) return undefined;
    const target = typeof messageId === "number" ? record.messages.get(messageId) : undefined;
    if (!target || target.deleted) {
      const allowWithout =
        parameters?.allow_sending_without_reply === true || p.boolean("allow_sending_without_reply");
      if (allowWithout) return undefined;
      throw badRequest("message to be replied not found");
    }
    const { reply_to_message: _nested, ...message } = structuredClone(target.message);
    return message as Message;
  }

  private fileParam(p: BotApiParams, kind: "photo" | "document"): StoredFile {
    const param = p.file(kind);
    if (!param) throw badRequest(`there is no ${kind} in the request`);
    if (param.kind === "reference") {
      const known = this.files.get(param.value);
      if (known) return known;
      if (!/^https?:\/\/\S+$/.test(param.value)) throw badRequest("wrong file identifier/HTTP URL specified");
      const fileName = decodeURIComponent(new URL(param.value).pathname.split("/").pop() ?? "") || undefined;
      const mimeType = fileName ? mimeTypeOf(fileName) : undefined;
      return this.storeFile({
        kind,
        url: param.value,
        ...(fileName ? { fileName } : {}),
        ...(mimeType ? { mimeType } : {}),
      });
    }
    if (param.file.data.length === 0) throw badRequest("file must be non-empty");
    const fileName = param.file.filename;
    const declared =
      param.file.contentType === "application/octet-stream" ? undefined : param.file.contentType;
    const mimeType = declared ?? mimeTypeOf(fileName);
    return this.storeFile({
      kind,
      data: param.file.data,
      size: param.file.data.length,
      fileName,
      ...(mimeType ? { mimeType } : {}),
    });
  }

  private storeFile(file: Omit<StoredFile, "fileId" | "fileUniqueId">): StoredFile {
    const number = this.freshId("file");
    const prefix = file.kind === "photo" ? "AgACAgIAAxk" : "BQACAgIAAxk";
    const stored: StoredFile = {
      ...file,
      fileId: `${prefix}-local-${number}`,
      fileUniqueId: `AQAD-local-${number}`,
    };
    this.files.set(stored.fileId, stored);
    return stored;
  }

  private editableMessage(p: BotApiParams): { record: ChatRecord; stored: StoredMessage } {
    if (p.has("inline_message_id")) {
      throw badRequest(
        "inline messages are not supported by the local emulator; edit with chat_id and message_id",
      );
    }
    const record = this.chatParam(p);
    const messageId = p.integer("message_id", "message identifier is not specified");
    if (messageId === undefined) throw badRequest("message identifier is not specified");
    const stored = record.messages.get(messageId);
    if (!stored || stored.deleted) throw badRequest("message to edit not found");
    if (stored.sender !== "bot") throw badRequest("message can't be edited");
    return { record, stored };
  }

  /** Refuses a send to a blocked user (403) or beyond the flood limits (429). */
  private admitSend(record: ChatRecord, p: BotApiParams, method: string): void {
    if (this.blocked.has(record.chat.id)) throw forbidden("bot was blocked by the user");
    if (!rateLimitedMethods.has(method)) return;
    const retryAfter = this.limiter.admit(record.chat.id, p.boolean("allow_paid_broadcast"));
    if (retryAfter > 0) throw tooManyRequests(retryAfter);
  }

  private storeBotMessage(
    record: ChatRecord,
    content: Partial<Message>,
    markup: ReplyMarkup | undefined,
    replyTo: Message | undefined,
    p: BotApiParams,
    media?: TranscriptMedia,
  ): Message {
    const message = {
      message_id: record.nextMessageId++,
      from: this.botUser(),
      chat: { ...record.chat },
      date: this.unixNow(),
      ...(replyTo ? { reply_to_message: replyTo } : {}),
      ...content,
      ...(markup && "inline_keyboard" in markup && markup.inline_keyboard.length > 0
        ? { reply_markup: markup }
        : {}),
      ...(p.boolean("protect_content") ? { has_protected_content: true } : {}),
    } as Message;
    if (markup && "keyboard" in markup) record.replyKeyboard = markup;
    if (markup && "remove_keyboard" in markup) record.replyKeyboard = undefined;
    this.counters.sentMessages += 1;
    const chatKey = String(record.chat.id);
    this.counters.sendsByChat[chatKey] = (this.counters.sendsByChat[chatKey] ?? 0) + 1;
    this.storeMessage(record, {
      chatId: record.chat.id,
      sender: "bot",
      message,
      ...(markup ? { replyMarkup: markup } : {}),
      ...(media ? { media } : {}),
      previousVersions: [],
      deleted: false,
    });
    return structuredClone(message);
  }

  private storeMessage(record: ChatRecord, stored: StoredMessage): void {
    record.messages.set(stored.message.message_id, stored);
    const entry = transcriptEntry(stored);
    this.pushEvent({ type: "message", chatId: record.chat.id, entry });
    this.emit("message", entry);
  }

  private applyEdit(
    stored: StoredMessage,
    content: {
      text?: string;
      entities?: MessageEntity[];
      caption?: string;
      caption_entities?: MessageEntity[];
    },
    markup: InlineKeyboardMarkup | undefined,
  ): Message {
    const current = stored.message;
    stored.previousVersions.push({
      text: current.text ?? current.caption ?? "",
      entities: current.entities ?? current.caption_entities ?? [],
      ...(stored.replyMarkup ? { replyMarkup: stored.replyMarkup } : {}),
      replacedAt: this.unixNow(),
    });
    const next: Record<string, unknown> = { ...current, ...content, edit_date: this.unixNow() };
    for (const field of ["entities", "caption", "caption_entities"] as const) {
      const value = next[field];
      if (value === "" || (Array.isArray(value) && value.length === 0)) delete next[field];
    }
    if (markup) next.reply_markup = markup;
    else delete next.reply_markup;
    stored.message = next as unknown as Message;
    if (markup) stored.replyMarkup = markup;
    else delete stored.replyMarkup;
    const entry = transcriptEntry(stored);
    this.pushEvent({ type: "edit", chatId: stored.chatId, entry });
    this.emit("edit", entry);
    return structuredClone(stored.message);
  }

  private commandsKey(p: BotApiParams): string {
    const scope = p.json<Record<string, unknown>>("scope", "BotCommandScope") ?? { type: "default" };
    const type = typeof scope.type === "string" ? scope.type : "";
    const chatScopes = ["chat", "chat_administrators", "chat_member"];
    const known = [
      "default",
      "all_private_chats",
      "all_group_chats",
      "all_chat_administrators",
      ...chatScopes,
    ];
    if (!known.includes(type)) throw badRequest("can't parse BotCommandScope JSON object");
    if (chatScopes.includes(type) && !this.chats.has(Number(scope.chat_id)))
      throw badRequest("chat not found");
    const language = p.string("language_code") ?? "";
    if (language !== "" && !/^[a-z]{2}$/.test(language)) throw badRequest("invalid language code specified");
    return commandsKey(scope, language);
  }

  // ------------------------------------------------------------------------------------------ internals

  private botUser(): User {
    return {
      id: this.botInfo.id,
      is_bot: true,
      first_name: this.botInfo.first_name,
      username: this.botInfo.username,
    };
  }

  private unixNow(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  /** The next unused number of a kind (user ids and group ids skip those created with explicit ids). */
  private freshId(kind: "user" | "group" | "file" | "query"): number {
    const taken = (n: number) =>
      (kind === "user" && this.chats.has(n)) || (kind === "group" && this.chats.has(-n));
    this.lastSeq[kind] += 1;
    while (taken(this.lastSeq[kind])) this.lastSeq[kind] += 1;
    return this.lastSeq[kind];
  }

  private requireUser(userId: number): SimulatedUser {
    const user = this.usersById.get(userId);
    if (!user) throw new UnknownUserError(userId);
    return user;
  }

  private requireActiveUser(userId: number): SimulatedUser {
    const user = this.requireUser(userId);
    if (this.blocked.has(userId)) throw new UserBlockedBotError(userId);
    return user;
  }

  private requireChat(chatId: number): ChatRecord {
    const record = this.chats.get(chatId);
    if (!record) throw new UnknownChatError(chatId);
    return record;
  }

  private setBlocked(userId: number, blocked: boolean, notifyBot: boolean): void {
    const user = this.requireUser(userId);
    if (this.blocked.has(userId) === blocked) return;
    if (blocked) this.blocked.add(userId);
    else this.blocked.delete(userId);
    this.pushEvent({ type: "user", chatId: userId, user: { ...user }, blocked });
    if (!notifyBot) return;
    const bot = this.botUser();
    const member = { status: "member", user: bot };
    const kicked = { status: "kicked", user: bot, until_date: 0 };
    const record = this.requireChat(userId);
    this.createUpdate(
      {
        my_chat_member: {
          chat: { ...record.chat },
          from: telegramUser(user),
          date: this.unixNow(),
          old_chat_member: blocked ? member : kicked,
          new_chat_member: blocked ? kicked : member,
        },
      } as Omit<Update, "update_id">,
      userId,
    );
  }

  private createUpdate(body: Omit<Update, "update_id">, chatId: number): Update {
    this.lastSeq.update += 1;
    const update = { update_id: this.lastSeq.update, ...body } as Update;
    this.queue.enqueue(update, chatId);
    this.counters.updatesCreated += 1;
    this.emit("update", update);
    this.signalChange();
    return update;
  }

  private takeFault(method: string, params: BotApiParams): (FaultSpec & { times: number }) | undefined {
    const chatId = params.string("chat_id");
    const index = this.faults.findIndex(
      (fault) =>
        fault.method.toLowerCase() === method.toLowerCase() &&
        (fault.chatId === undefined || String(fault.chatId) === chatId),
    );
    const fault = this.faults[index];
    if (!fault) return undefined;
    fault.times -= 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private recordCall(
    method: string,
    params: Record<string, unknown>,
    response: BotApiResponse | undefined,
    fault?: FaultSpec["response"],
  ): void {
    this.lastSeq.call += 1;
    const call: CallRecord = {
      seq: this.lastSeq.call,
      method,
      params,
      ...(response ? { response } : {}),
      time: this.clock.now(),
      ...(fault ? { fault } : {}),
    };
    this.callLog.push(call);
    // Trim in chunks: splicing one record off a long log per call would make every call O(log size).
    if (this.callLog.length > this.callLogLimit * 1.1 + 100) {
      this.callLog.splice(0, this.callLog.length - this.callLogLimit);
    }
    this.counters.calls += 1;
    this.counters.callsByMethod[method] = (this.counters.callsByMethod[method] ?? 0) + 1;
    if (response && !response.ok && response.error_code === 429) this.counters.tooManyRequests += 1;
    this.logger.debug?.("Bot API call", {
      method,
      ok: response?.ok ?? false,
      ...(response && !response.ok ? { error: response.description } : {}),
    });
    this.emit("call", call);
    this.signalChange();
  }

  private recordDelivery(attempt: DeliveryAttempt): void {
    this.deliveryLog.push(attempt);
    if (this.deliveryLog.length > this.callLogLimit * 1.1 + 100) {
      this.deliveryLog.splice(0, this.deliveryLog.length - this.callLogLimit);
    }
    this.counters.deliveryAttempts += 1;
    if (!attempt.ok) {
      this.counters.failedDeliveries += 1;
      this.logger.warn?.("Webhook delivery failed; retrying", {
        updateId: attempt.updateId,
        attempt: attempt.attempt,
        error: attempt.error,
      });
    }
    this.emit("delivery", attempt);
  }

  private pushEvent(event: NewEvent): void {
    this.lastSeq.event += 1;
    const full = { ...event, seq: this.lastSeq.event } as EmulatorEvent;
    this.eventLog.push(full);
    if (this.eventLog.length > eventBufferSize * 1.1) {
      this.eventLog.splice(0, this.eventLog.length - eventBufferSize);
    }
    this.emit("event", full);
    for (const check of [...this.eventWaiters]) check();
    this.signalChange();
  }

  private signalChange(): void {
    for (const check of [...this.changeWatchers]) check();
  }

  private failRequest(res: ServerResponse, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error?.("Telegram emulator request failed", { error: message });
    if (!res.headersSent && !res.destroyed) {
      sendJson(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${message}` });
    }
  }
}

// ---------------------------------------------------------------------------------------------- helpers

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function emptyStats(): EmulatorStats {
  return {
    calls: 0,
    callsByMethod: {},
    tooManyRequests: 0,
    faultsServed: 0,
    sentMessages: 0,
    sendsByChat: {},
    updatesCreated: 0,
    deliveryAttempts: 0,
    failedDeliveries: 0,
  };
}

function mergeDeliveryOptions(current: DeliveryOptions, change: Partial<DeliveryOptions>): DeliveryOptions {
  const merged = { ...current };
  for (const [key, value] of Object.entries(change)) {
    if (!(key in defaultDeliveryOptions)) {
      throw new InvalidEmulatorInputError(
        `Unknown delivery option "${key}"; the options are ${Object.keys(defaultDeliveryOptions).join(", ")}.`,
      );
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw new InvalidEmulatorInputError(
        `Delivery option "${key}" must be a positive number of ms, got ${String(value)}.`,
      );
    }
    merged[key as keyof DeliveryOptions] = value;
  }
  return merged;
}

function errorResponse(error: BotApiError): BotApiResponse {
  return {
    ok: false,
    error_code: error.errorCode,
    description: error.description,
    ...(error.parameters ? { parameters: error.parameters } : {}),
  };
}

function faultError(fault: FaultSpec): BotApiError {
  switch (fault.response) {
    case 429:
      return tooManyRequests(fault.retryAfter ?? 1);
    case 403:
      return forbidden("bot was blocked by the user");
    case 500:
      return new BotApiError(500, "Internal Server Error");
    default:
      return new BotApiError(502, "Bad Gateway");
  }
}

function commandsKey(scope: Record<string, unknown>, language: string): string {
  const parts = [scope.type, scope.chat_id, scope.user_id].filter((part) => part !== undefined).map(String);
  return `${parts.join(":")}|${language}`;
}
