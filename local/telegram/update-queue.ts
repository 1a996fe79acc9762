/**
 * The emulator's pending updates and their two ways out, as on Telegram: `getUpdates` long polling, or a
 * webhook that receives one update per POST. Webhook delivery keeps each chat in order (one update of a chat
 * in flight at a time, later ones wait behind a failing one) while different chats run concurrently up to
 * `max_connections`; failures are retried with exponential backoff on real, unref'd timers.
 */

import http from "node:http";
import https from "node:https";
import type { Update } from "grammy/types";
import { BotApiError, InvalidEmulatorInputError } from "./errors";
import type { EmulatorClock } from "./rate-limits";

/** A webhook as `setWebhook` configured it. */
export interface WebhookConfig {
  url: string;
  secretToken?: string;
  maxConnections: number;
}

/** How webhook delivery retries; the emulator retries far sooner than Telegram so tests stay fast. */
export interface DeliveryOptions {
  /** Wait before the first retry of a failed update; doubles on each further failure. */
  initialBackoffMs: number;
  /** Longest wait between two attempts. */
  maxBackoffMs: number;
  /** An attempt that gets no answer within this time fails with "Read timeout expired". */
  timeoutMs: number;
}

/** Defaults of {@link DeliveryOptions}. */
export const defaultDeliveryOptions: Readonly<DeliveryOptions> = Object.freeze({
  initialBackoffMs: 100,
  maxBackoffMs: 5000,
  timeoutMs: 30_000,
});

/** One POST of an update to the webhook, for tests that check retries and ordering. */
export interface DeliveryAttempt {
  updateId: number;
  chatId?: number;
  url: string;
  /** 1 for the first attempt of this update, 2 for its first retry, ... */
  attempt: number;
  /** Clock time the attempt started, in ms. */
  startedAt: number;
  durationMs: number;
  ok: boolean;
  /** HTTP status of the webhook's answer; absent after a network error. */
  status?: number;
  /** Telegram's `last_error_message` wording of the failure. */
  error?: string;
}

/** What the queue needs from the emulator. */
export interface UpdateQueueHooks {
  clock: EmulatorClock;
  delivery: () => DeliveryOptions;
  /** Runs a Bot API method the webhook answered with in its response body (a "webhook reply"). */
  runWebhookReply: (method: string, params: Record<string, unknown>) => Promise<void>;
  onDeliveryAttempt: (attempt: DeliveryAttempt) => void;
  /** Something changed that a waiter might be waiting for. */
  onChange: () => void;
}

interface QueuedUpdate {
  update: Update;
  chatKey: string;
  chatId?: number;
  attempts: number;
  inFlight: boolean;
  done: boolean;
}

interface WaitingPoll {
  wake: () => void;
  /** Ends the wait with 409 Conflict and Telegram's reason. */
  supersede: (reason: string) => void;
}

type PostOutcome =
  | { kind: "answered"; status: number; statusText: string; body: string }
  | { kind: "failed"; error: string };

/** Update types Telegram leaves out unless `allowed_updates` asks for them. */
const optInUpdateTypes = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

/** Pending updates, delivered by webhook or handed out by `getUpdates`. */
export class UpdateQueue {
  private webhookConfig: WebhookConfig | undefined;
  private allowedUpdates: string[] = [];
  private lastError: { date: number; message: string } | undefined;
  /** All unconfirmed updates in update_id order; `done` ones are compacted away lazily. */
  private all: QueuedUpdate[] = [];
  private readonly byChat = new Map<string, QueuedUpdate[]>();
  private pending = 0;
  private inFlight = 0;
  /** Chats waiting out a backoff: the timer that lets the chat send again. */
  private readonly backoffByChat = new Map<string, NodeJS.Timeout>();
  private readonly activeRequests = new Set<http.ClientRequest>();
  // An agent timeout makes Node honour the server's `Keep-Alive: timeout=N` hint and drop idle sockets before
  // the server does, so a delivery never races a server closing its connection (a spurious ECONNRESET).
  private readonly httpAgent = new http.Agent({ keepAlive: true, timeout: 60_000 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, timeout: 60_000 });
  private waitingPoll: WaitingPoll | undefined;
  private stopped = false;

  constructor(private readonly hooks: UpdateQueueHooks) {}

  /** The webhook, if one is set. */
  get webhook(): WebhookConfig | undefined {
    return this.webhookConfig;
  }

  /** Updates not yet delivered (webhook) or confirmed (getUpdates), including those in flight. */
  get pendingCount(): number {
    return this.pending;
  }

  /** What `getWebhookInfo` reports. */
  webhookInfo(): Record<string, unknown> {
    const webhook = this.webhookConfig;
    if (!webhook) return { url: "", has_custom_certificate: false, pending_update_count: this.pending };
    return {
      url: webhook.url,
      has_custom_certificate: false,
      pending_update_count: this.pending,
      ...(this.lastError
        ? { last_error_date: this.lastError.date, last_error_message: this.lastError.message }
        : {}),
      max_connections: webhook.maxConnections,
      ...(this.allowedUpdates.length > 0 ? { allowed_updates: [...this.allowedUpdates] } : {}),
    };
  }

  /** Queues an update unless `allowed_updates` filters it out; returns whether it was queued. */
  enqueue(update: Update, chatId: number | undefined): boolean {
    if (this.stopped || !this.accepts(update)) return false;
    const chatKey = chatId === undefined ? "none" : String(chatId);
    const item: QueuedUpdate = { update, chatKey, chatId, attempts: 0, inFlight: false, done: false };
    this.all.push(item);
    const chatQueue = this.byChat.get(chatKey);
    if (chatQueue) chatQueue.push(item);
    else this.byChat.set(chatKey, [item]);
    this.pending += 1;
    this.waitingPoll?.wake();
    this.pump();
    return true;
  }

  /** `setWebhook`: later updates (and the pending ones) go to `config.url`. */
  setWebhook(config: WebhookConfig, allowedUpdates: string[] | undefined, dropPending: boolean): void {
    if (dropPending) this.dropPending();
    if (this.webhookConfig?.url !== config.url) this.lastError = undefined;
    this.webhookConfig = config;
    if (allowedUpdates) this.allowedUpdates = allowedUpdates;
    this.clearBackoffs();
    this.waitingPoll?.supersede("terminated by setWebhook request");
    this.pump();
  }

  /** `deleteWebhook`: pending updates stay for `getUpdates` unless dropped. */
  deleteWebhook(dropPending: boolean): void {
    if (dropPending) this.dropPending();
    this.webhookConfig = undefined;
    this.lastError = undefined;
    this.clearBackoffs();
  }

  /**
   * `getUpdates`: confirms the updates before `offset`, then answers at once if any are pending, otherwise
   * waits up to `timeoutMs` for one. A newer call ends a waiting one with 409, as Telegram does.
   */
  async poll(
    request: { offset?: number; limit: number; timeoutMs: number; allowedUpdates?: string[] },
    cancelled: AbortSignal,
  ): Promise<Update[]> {
    if (this.webhookConfig) {
      throw new BotApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    if (request.allowedUpdates) this.allowedUpdates = request.allowedUpdates;
    if (request.offset !== undefined) this.confirm(request.offset);
    this.waitingPoll?.supersede(
      "terminated by other getUpdates request; make sure that only one bot instance is running",
    );
    const ready = this.ready(request.limit);
    if (ready.length > 0 || request.timeoutMs <= 0 || this.stopped || cancelled.aborted) return ready;
    await new Promise<void>((resolve, reject) => {
      const finish = (error?: BotApiError) => {
        clearTimeout(timer);
        cancelled.removeEventListener("abort", onAbort);
        if (this.waitingPoll === poll) this.waitingPoll = undefined;
        if (error) reject(error);
        else resolve();
      };
      const onAbort = () => finish();
      const poll: WaitingPoll = {
        wake: () => finish(),
        supersede: (reason) => finish(new BotApiError(409, `Conflict: ${reason}`)),
      };
      const timer = setTimeout(() => finish(), request.timeoutMs);
      timer.unref();
      cancelled.addEventListener("abort", onAbort);
      this.waitingPoll = poll;
    });
    return this.webhookConfig ? [] : this.ready(request.limit);
  }

  /** Forgets every pending update, delivered or not (`drop_pending_updates`). */
  dropPending(): void {
    for (const item of this.all) item.done = true;
    this.all = [];
    this.byChat.clear();
    this.pending = 0;
    this.hooks.onChange();
  }

  /** Stops delivery: clears timers, aborts webhook requests, answers a waiting `getUpdates`. */
  stop(): void {
    this.stopped = true;
    this.clearBackoffs();
    for (const request of this.activeRequests) request.destroy();
    this.activeRequests.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.waitingPoll?.wake();
  }

  private accepts(update: Update): boolean {
    const type = Object.keys(update).find((key) => key !== "update_id") ?? "";
    if (this.allowedUpdates.length > 0) return this.allowedUpdates.includes(type);
    return !optInUpdateTypes.has(type);
  }

  private ready(limit: number): Update[] {
    const updates: Update[] = [];
    for (const item of this.all) {
      if (updates.length >= limit) break;
      if (!item.done && !item.inFlight) updates.push(item.update);
    }
    return updates;
  }

  private confirm(offset: number): void {
    const live = this.all.filter((item) => !item.done);
    const forget =
      offset < 0
        ? live.slice(0, Math.max(0, live.length + offset))
        : live.filter((i) => i.update.update_id < offset);
    for (const item of forget) this.markDone(item);
    this.hooks.onChange();
  }

  private markDone(item: QueuedUpdate): void {
    if (item.done) return;
    item.done = true;
    this.pending -= 1;
    const chatQueue = this.byChat.get(item.chatKey);
    if (chatQueue) {
      const index = chatQueue.indexOf(item);
      if (index !== -1) chatQueue.splice(index, 1);
      if (chatQueue.length === 0) this.byChat.delete(item.chatKey);
    }
    let doneAtFront = 0;
    while (this.all[doneAtFront]?.done) doneAtFront += 1;
    if (doneAtFront > 256 || doneAtFront === this.all.length) this.all = this.all.slice(doneAtFront);
  }

  /** Starts delivering the head update of every chat that may send, up to `max_connections`. */
  private pump(): void {
    const webhook = this.webhookConfig;
    if (!webhook || this.stopped) return;
    for (const [chatKey, chatQueue] of this.byChat) {
      if (this.inFlight >= webhook.maxConnections) return;
      const head = chatQueue[0];
      if (!head || head.inFlight) continue;
      if (this.backoffByChat.has(chatKey)) continue;
      void this.deliver(head, webhook);
    }
  }

  private async deliver(item: QueuedUpdate, webhook: WebhookConfig): Promise<void> {
    item.inFlight = true;
    item.attempts += 1;
    this.inFlight += 1;
    const startedAt = this.hooks.clock.now();
    const startedMs = performance.now();
    const outcome = await this.post(webhook, item.update);
    let error = outcome.kind === "failed" ? outcome.error : undefined;
    if (outcome.kind === "answered") {
      if (outcome.status >= 200 && outcome.status < 300) {
        const reply = webhookReply(outcome.body);
        if (reply && !this.stopped) {
          await this.hooks.runWebhookReply(reply.method, reply.params).catch(() => undefined);
        }
      } else {
        error = `Wrong response from the webhook: ${outcome.status} ${outcome.statusText}`;
      }
    }
    item.inFlight = false;
    this.inFlight -= 1;
    if (this.stopped) return;
    this.hooks.onDeliveryAttempt({
      updateId: item.update.update_id,
      ...(item.chatId === undefined ? {} : { chatId: item.chatId }),
      url: webhook.url,
      attempt: item.attempts,
      startedAt,
      durationMs: Math.round(performance.now() - startedMs),
      ok: error === undefined,
      ...(outcome.kind === "answered" ? { status: outcome.status } : {}),
      ...(error === undefined ? {} : { error }),
    });
    if (error === undefined) {
      this.markDone(item);
    } else if (!item.done) {
      this.lastError = { date: Math.floor(this.hooks.clock.now() / 1000), message: error };
      const options = this.hooks.delivery();
      const backoffMs = Math.min(options.maxBackoffMs, options.initialBackoffMs * 2 ** (item.attempts - 1));
      // The timer itself ends the backoff: comparing clocks instead misses when a timer fires a millisecond early.
      const timer = setTimeout(() => {
        this.backoffByChat.delete(item.chatKey);
        this.pump();
      }, backoffMs);
      timer.unref();
      this.backoffByChat.set(item.chatKey, timer);
    }
    this.hooks.onChange();
    this.pump();
  }

  private post(webhook: WebhookConfig, update: Update): Promise<PostOutcome> {
    return new Promise((resolve) => {
      let url: URL;
      try {
        url = new URL(webhook.url);
      } catch {
        resolve({ kind: "failed", error: "Failed to resolve host: invalid webhook URL" });
        return;
      }
      const body = JSON.stringify(update);
      const secure = url.protocol === "https:";
      const request = (secure ? https : http).request(
        url,
        {
          method: "POST",
          agent: secure ? this.httpsAgent : this.httpAgent,
          timeout: this.hooks.delivery().timeoutMs,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            ...(webhook.secretToken ? { "x-telegram-bot-api-secret-token": webhook.secretToken } : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.once("end", () =>
            resolve({
              kind: "answered",
              status: response.statusCode ?? 0,
              statusText: response.statusMessage ?? "",
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
          response.once("error", (error) => resolve({ kind: "failed", error: describeNetworkError(error) }));
        },
      );
      request.once("timeout", () =>
        request.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })),
      );
      request.once("error", (error) => resolve({ kind: "failed", error: describeNetworkError(error) }));
      request.once("close", () => this.activeRequests.delete(request));
      this.activeRequests.add(request);
      request.end(body);
    });
  }

  private clearBackoffs(): void {
    for (const timer of this.backoffByChat.values()) clearTimeout(timer);
    this.backoffByChat.clear();
  }
}

/** Telegram's wording of a failed webhook connection. */
function describeNetworkError(error: Error & { code?: string }): string {
  switch (error.code) {
    case "ECONNREFUSED":
      return "Connection refused";
    case "ETIMEDOUT":
      return "Read timeout expired";
    case "ENOTFOUND":
      return "Failed to resolve host: Name or service not known";
    case "ECONNRESET":
      return "Connection reset by peer";
    default:
      return `Connection error: ${error.message}`;
  }
}

/** A Bot API call in a webhook's answer body (`{"method":"sendMessage",...}`), which Telegram executes. */
function webhookReply(body: string): { method: string; params: Record<string, unknown> } | undefined {
  if (!body.trim().startsWith("{")) return undefined;
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const { method, ...params } = parsed;
    return typeof method === "string" ? { method, params } : undefined;
  } catch {
    return undefined;
  }
}

/** Applies a change of delivery options, refusing unknown keys and non-positive values. */
export function mergeDeliveryOptions(
  current: DeliveryOptions,
  change: Partial<DeliveryOptions>,
): DeliveryOptions {
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
