/**
 * A Telegram Bot API server on loopback, so the bot runs locally and in end-to-end tests exactly as in
 * production: grammY talks to it unmodified through `client.apiRoot`, updates reach the bot by webhook (in
 * order per chat, retried on failure) or `getUpdates`, and sends are checked against Telegram's flood limits,
 * blocked users and injected faults. Simulated users write texts and press buttons through a JavaScript API
 * (for tests) or the `/_emulator/` control API (for the web chat of `npm start`).
 *
 * The pieces: state.ts (everything it knows, persistable), methods/ (one module per Bot API method group),
 * bot-api.ts (method table, faults, HTTP serving), users.ts (what simulated users do), control-api.ts, and
 * this facade with the server and the routes between them.
 */

import { EventEmitter } from "node:events";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { BotCommand, Chat, ReplyKeyboardMarkup, Update, UserFromGetMe } from "grammy/types";
import { RouteTable } from "../http/routes";
import { BotApi, notFound, sendJson } from "./bot-api";
import { serveControlApi } from "./control-api";
import {
  EmulatorAlreadyStartedError,
  EmulatorNotStartedError,
  EmulatorStoppedError,
  EmulatorWaitTimeoutError,
  InjectedNetworkFaultError,
  InvalidEmulatorInputError,
} from "./errors";
import { transcriptEntry } from "./messages";
import { menuCommands } from "./methods/chat";
import { BotApiParams } from "./params";
import { defaultRateLimits, mergeRateLimits, RateLimiter, type RateLimits } from "./rate-limits";
import { botInfoFor, type EmulatorSnapshot, EmulatorState } from "./state";
import type {
  BotApiResponse,
  CallbackAnswer,
  CallRecord,
  EmulatorEvent,
  EmulatorSettings,
  EmulatorSettingsChange,
  EmulatorStats,
  FaultSpec,
  NewSimulatedUser,
  SimulatedUser,
  TelegramEmulatorEvents,
  TelegramEmulatorOptions,
  TranscriptEntry,
} from "./types";
import {
  type DeliveryAttempt,
  type DeliveryOptions,
  defaultDeliveryOptions,
  mergeDeliveryOptions,
  UpdateQueue,
} from "./update-queue";
import * as simulate from "./users";
import { eventsSince, nextEvents, waitFor } from "./waiting";

export { sendJson } from "./bot-api";
export type { EmulatorSnapshot } from "./state";
export type * from "./types";

/** The token the emulator accepts unless told otherwise; fake, so it can sit in configs and tests. */
export const defaultEmulatorToken = "123456:LOCAL-EMULATOR-TOKEN";

type BotApiRoute = (
  emulator: TelegramEmulator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  token: string,
  method: string,
) => Promise<void>;

/** The Bot API paths; `/_emulator/...` has its own table (control-api.ts), anything else is the host's. */
const botApiRoutes = new RouteTable<BotApiRoute>()
  .add("ANY /bot{token}/{method}", (emulator, req, res, url, token, method) =>
    emulator.botApi.serve(req, res, token, method, url.searchParams),
  )
  .add("ANY /bot{token}/test/{method}", (emulator, req, res, url, token, method) =>
    emulator.botApi.serve(req, res, token, method, url.searchParams),
  );

/**
 * The emulator. One instance is one bot: `start()` serves it on its own port, or `handle(req, res)` mounts it
 * on another node:http server (paths `/bot<token>/...` and `/_emulator/...`).
 */
export class TelegramEmulator extends EventEmitter<TelegramEmulatorEvents> {
  /** The token requests must carry. */
  readonly token: string;
  /** The `getMe` answer. */
  readonly botInfo: UserFromGetMe;
  /** Default wait of `GET /_emulator/events`. */
  readonly eventsLongPollMs: number;
  /** The Bot API method table and its HTTP serving. */
  readonly botApi: BotApi;
  private readonly state: EmulatorState;
  private readonly limiter: RateLimiter;
  private deliveryOptions: DeliveryOptions;
  private readonly queue: UpdateQueue;
  private server: http.Server | undefined;
  private baseUrl: string | undefined;
  private stopped = false;

  constructor(options: TelegramEmulatorOptions = {}) {
    super();
    this.token = options.token ?? defaultEmulatorToken;
    this.botInfo = botInfoFor(this.token, options.botInfo);
    const clock = options.clock ?? { now: () => Date.now() };
    this.state = new EmulatorState(
      this.botInfo,
      clock,
      options.logger ?? {},
      options.callLogLimit ?? 50_000,
      (event, ...args) => (this.emit as (name: string, ...values: unknown[]) => boolean)(event, ...args),
    );
    this.limiter = new RateLimiter(clock, mergeRateLimits({ ...defaultRateLimits }, options.limits ?? {}));
    this.deliveryOptions = mergeDeliveryOptions({ ...defaultDeliveryOptions }, options.delivery ?? {});
    this.eventsLongPollMs = options.eventsLongPollMs ?? 25_000;
    this.queue = new UpdateQueue({
      clock,
      delivery: () => this.deliveryOptions,
      runWebhookReply: async (method, params) => {
        await this.botApi.execute(method, BotApiParams.of(params), new AbortController().signal);
      },
      onDeliveryAttempt: (attempt) => this.state.recordDelivery(attempt),
      onChange: () => this.state.signalChange(),
    });
    this.state.enqueue = (update, chatId) => this.queue.enqueue(update, chatId);
    this.botApi = new BotApi({ state: this.state, limiter: this.limiter, queue: this.queue }, this.token);
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
    this.state.logger.info?.("Telegram emulator listening", {
      apiRoot: this.baseUrl,
      bot: this.botInfo.username,
    });
    return this.baseUrl;
  }

  /** Stops webhook delivery and long polls and closes the server if `start()` opened it. Not restartable. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.stop();
    for (const wake of [...this.state.eventWaiters]) wake();
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

  /** The base URL if known yet (the control API checks `Host` and `Origin` against it). */
  get baseUrlOrUndefined(): string | undefined {
    return this.baseUrl;
  }

  /**
   * Serves a request if it is for the emulator (`/bot...` Bot API, `/_emulator/...` control API) and returns
   * true; returns false untouched otherwise, so a host server can route the rest itself.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? "/", "http://emulator.local");
    const path = url.pathname;
    const isControl = path === "/_emulator" || path.startsWith("/_emulator/");
    if (!isControl && !path.startsWith("/bot")) return false;
    const found = isControl ? undefined : botApiRoutes.match(req.method ?? "GET", path);
    const served = isControl
      ? serveControlApi(this, req, res, url)
      : found && /^[A-Za-z]+$/.test(found.params.method ?? "")
        ? found.handler(this, req, res, url, found.params.token ?? "", found.params.method ?? "")
        : Promise.resolve(sendJson(res, 404, notFound));
    served.catch((error: unknown) => this.failRequest(res, error));
    return true;
  }

  // ------------------------------------------------------------------------------------------ persistence

  /** Users, chats with their history, blocked users, files, menus and ids, for the next run to {@link restore}. */
  snapshot(options: { clean?: boolean } = {}): EmulatorSnapshot {
    return this.state.snapshot(options.clean ?? false);
  }

  /** Loads a {@link snapshot} into a fresh emulator (before any user exists). */
  restore(snapshot: EmulatorSnapshot): void {
    if (this.state.usersById.size > 0 || this.state.lastSeq.update > 0)
      throw new InvalidEmulatorInputError(
        "restore() takes a fresh emulator; this one already has users or updates.",
      );
    this.state.restore(snapshot);
  }

  /** Calls `listener` (debounce it) after every change a snapshot holds. */
  onPersistentChange(listener: (() => void) | undefined): void {
    this.state.onPersistentChange = listener;
  }

  // ------------------------------------------------------------------------------------------ simulated users

  /** Creates a simulated user (and their private chat with the bot). */
  createUser(input: NewSimulatedUser = {}): SimulatedUser {
    return simulate.createUser(this.state, input);
  }

  /** Creates a group chat (negative id) where simulated users can write with `sendText(..., { chatId })`. */
  createGroup(input: { id?: number; title?: string } = {}): Chat.GroupChat {
    return simulate.createGroup(this.state, input);
  }

  /** All simulated users, oldest first. */
  users(): SimulatedUser[] {
    return [...this.state.usersById.values()].map((user) => ({ ...user }));
  }

  /** One simulated user; throws {@link UnknownUserError} if it was never created. */
  user(userId: number): SimulatedUser {
    return { ...this.state.requireUser(userId) };
  }

  /** The user blocks the bot: sends to them answer 403, and the bot gets a `my_chat_member` update. */
  blockUser(userId: number, options: { notifyBot?: boolean } = {}): void {
    simulate.setBlocked(this.state, userId, true, options.notifyBot ?? true);
  }

  /** The user restarts the bot after blocking it. */
  unblockUser(userId: number, options: { notifyBot?: boolean } = {}): void {
    simulate.setBlocked(this.state, userId, false, options.notifyBot ?? true);
  }

  /** Whether the user has blocked the bot. */
  isBlocked(userId: number): boolean {
    return this.state.blocked.has(userId);
  }

  /**
   * The user writes `text` (in their private chat, or in `chatId`), as a reply to `replyToMessageId` of that
   * chat if given; returns the update queued for the bot. Commands get `bot_command` entities as Telegram adds
   * them.
   */
  sendText(
    userId: number,
    text: string,
    options: { chatId?: number; replyToMessageId?: number } = {},
  ): Update {
    return simulate.sendText(this.state, userId, text, options.chatId, options.replyToMessageId);
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
    return simulate.pressButton(this.state, userId, messageId, callbackData, options.chatId);
  }

  /** The user taps a button of the reply keyboard the chat shows, which sends its text. */
  pressReplyButton(userId: number, text: string, options: { chatId?: number } = {}): Update {
    return simulate.pressReplyButton(this.state, userId, text, options.chatId);
  }

  // ------------------------------------------------------------------------------------------ inspection

  /** The chat's messages in order (user's and bot's), with their current content, edits and deletions. */
  chatHistory(chatId: number): TranscriptEntry[] {
    return [...this.state.requireChat(chatId).messages.values()].map((stored) => transcriptEntry(stored));
  }

  /** The bot's newest message in a chat that is not deleted, if any. */
  lastBotMessage(chatId: number): TranscriptEntry | undefined {
    const messages = [...this.state.requireChat(chatId).messages.values()];
    const last = messages.reverse().find((stored) => stored.sender === "bot" && !stored.deleted);
    return last ? transcriptEntry(last) : undefined;
  }

  /** The reply keyboard the chat currently shows, if any. */
  replyKeyboard(chatId: number): ReplyKeyboardMarkup | undefined {
    const keyboard = this.state.requireChat(chatId).replyKeyboard;
    return keyboard ? structuredClone(keyboard) : undefined;
  }

  /** The commands a user's menu shows in a chat, resolved through scopes and languages as Telegram does. */
  menuCommands(chatId: number, languageCode = ""): BotCommand[] {
    return menuCommands(this.state, chatId, languageCode);
  }

  /** How the bot answered a callback query (pass `update.callback_query.id`); undefined until it did. */
  callbackAnswer(callbackQueryId: string): CallbackAnswer | undefined {
    const answer = this.state.callbackQueries.get(callbackQueryId)?.answer;
    return answer ? { ...answer } : undefined;
  }

  /** Every Bot API call served (the newest `callLogLimit`), oldest first. */
  get calls(): readonly CallRecord[] {
    return this.state.callLog;
  }

  /** The calls of one method, e.g. `callsOf("sendMessage")`. */
  callsOf(method: string): CallRecord[] {
    const wanted = method.toLowerCase();
    return this.state.callLog.filter((call) => call.method.toLowerCase() === wanted);
  }

  /** Every webhook delivery attempt, oldest first. */
  get deliveries(): readonly DeliveryAttempt[] {
    return this.state.deliveryLog;
  }

  /** What `getWebhookInfo` answers right now. */
  webhookInfo(): Record<string, unknown> {
    return this.queue.webhookInfo();
  }

  /** Counters since the start (or the last {@link resetStats}). */
  stats(): EmulatorStats {
    return structuredClone(this.state.counters);
  }

  /** Messages the bot created in a chat (sends, not edits). */
  sendCount(chatId: number): number {
    return this.state.counters.sendsByChat[String(chatId)] ?? 0;
  }

  /** Zeroes the counters and empties the calls and deliveries logs (between benchmark runs). */
  resetStats(): void {
    this.state.resetStats();
  }

  /** A stored file's bytes (uploads only) and type, for the web chat. */
  file(fileId: string): { data?: Buffer; mimeType: string; url?: string; fileName?: string } | undefined {
    const file = this.state.files.get(fileId);
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
    return eventsSince(this.state, since, chatId);
  }

  /** Sequence number of the newest event (0 before any). */
  get lastEventSeq(): number {
    return this.state.lastSeq.event;
  }

  /** Waits until there are events after `since` (or `timeoutMs` passes, or the signal aborts), then lists them. */
  nextEvents(
    since: number,
    options: { timeoutMs?: number; chatId?: number; signal?: AbortSignal } = {},
  ): Promise<EmulatorEvent[]> {
    return nextEvents(
      this.state,
      since,
      { timeoutMs: this.eventsLongPollMs, ...options },
      () => this.stopped,
    );
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
    return waitFor(this.state, predicate, options);
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
      blockedUserIds: [...this.state.blocked],
    };
  }

  /** Changes settings at run time; validates everything before applying anything. */
  updateSettings(change: EmulatorSettingsChange): EmulatorSettings {
    const limits = mergeRateLimits(this.limiter.limits, change.limits ?? {});
    const delivery = mergeDeliveryOptions(this.deliveryOptions, change.delivery ?? {});
    const blockedUserIds = change.blockedUserIds;
    if (blockedUserIds) for (const userId of blockedUserIds) this.state.requireUser(userId);
    this.limiter.limits = limits;
    this.deliveryOptions = delivery;
    if (blockedUserIds) {
      for (const userId of [...this.state.blocked])
        if (!blockedUserIds.includes(userId)) this.unblockUser(userId);
      for (const userId of blockedUserIds) if (!this.state.blocked.has(userId)) this.blockUser(userId);
    }
    return this.settings();
  }

  /** Shorthand for `updateSettings({ limits })`, e.g. `setLimits({ enabled: true })`. */
  setLimits(change: Partial<RateLimits>): RateLimits {
    return this.updateSettings({ limits: change }).limits;
  }

  /** Makes the next matching calls fail instead of running (see {@link FaultSpec}). */
  injectFaults(faults: FaultSpec[]): void {
    this.botApi.injectFaults(faults);
  }

  /** Faults not yet served, with their remaining `times`. */
  pendingFaults(): FaultSpec[] {
    return this.state.faults.map((fault) => ({ ...fault }));
  }

  /** Forgets the faults not yet served. */
  clearFaults(): void {
    this.state.faults = [];
  }

  // ------------------------------------------------------------------------------------------ Bot API

  /** Runs a Bot API method without HTTP (records it like an HTTP call); throws on an injected network fault. */
  async invoke(method: string, params: Record<string, unknown> = {}): Promise<BotApiResponse> {
    const outcome = await this.botApi.execute(method, BotApiParams.of(params), new AbortController().signal);
    if (outcome === "network") throw new InjectedNetworkFaultError(method);
    return outcome;
  }

  private failRequest(res: ServerResponse, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.state.logger.error?.("Telegram emulator request failed", { error: message });
    if (!res.headersSent && !res.destroyed) {
      sendJson(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${message}` });
    }
  }
}
