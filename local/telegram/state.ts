/**
 * Everything the emulator knows, in one object the method modules share: simulated users and chats with
 * their messages, blocked users, files, command menus, callback queries, the logs and counters, and the
 * sequence numbers. It can be written to and read back from JSON ({@link EmulatorState.snapshot}), so the
 * local stack keeps users, history and update ids together with the bot's data between runs.
 */

import type { BotCommand, CallbackQuery, Update, User, UserFromGetMe } from "grammy/types";
import { botInfoFor as configuredBotInfo } from "../../bot/bot-info";
import { UnknownChatError, UnknownUserError, UserBlockedBotError } from "./errors";
import { type ChatRecord, type StoredFile, type StoredMessage, transcriptEntry } from "./messages";
import type { EmulatorClock } from "./rate-limits";
import type {
  CallbackAnswer,
  CallRecord,
  EmulatorEvent,
  EmulatorLogger,
  EmulatorStats,
  FaultSpec,
  NewEvent,
  SimulatedUser,
  TelegramEmulatorEvents,
} from "./types";
import type { DeliveryAttempt } from "./update-queue";

/** A callback query the bot may still answer, and its answer once it did. */
export interface CallbackQueryRecord {
  query: CallbackQuery;
  chatId: number;
  answer?: CallbackAnswer;
}

/** The emitter the state reports to (the emulator itself). */
export type Emit = <K extends keyof TelegramEmulatorEvents>(
  event: K,
  ...args: TelegramEmulatorEvents[K]
) => void;

const eventBufferSize = 2000;

/** The persisted part of the state (version 1); files keep their bytes as base64. */
export interface EmulatorSnapshot {
  version: 1;
  /** False when the process ended without a clean stop: ids then skip ahead, since later ones may be lost. */
  clean: boolean;
  users: SimulatedUser[];
  blocked: number[];
  chats: Array<Omit<ChatRecord, "messages"> & { messages: StoredMessage[] }>;
  files: Array<Omit<StoredFile, "data"> & { data?: string }>;
  commands: Array<[string, BotCommand[]]>;
  lastSeq: EmulatorState["lastSeq"];
}

/** How far update ids jump after an unclean end, past any the bot may have seen after the last save. */
const uncleanIdGap = 100_000;

/** Shared emulator state and the bookkeeping every method group needs. */
export class EmulatorState {
  readonly usersById = new Map<number, SimulatedUser>();
  readonly chats = new Map<number, ChatRecord>();
  readonly blocked = new Set<number>();
  readonly files = new Map<string, StoredFile>();
  readonly commands = new Map<string, BotCommand[]>();
  readonly callbackQueries = new Map<string, CallbackQueryRecord>();
  faults: Array<FaultSpec & { times: number }> = [];
  callLog: CallRecord[] = [];
  deliveryLog: DeliveryAttempt[] = [];
  eventLog: EmulatorEvent[] = [];
  readonly changeWatchers = new Set<() => void>();
  readonly eventWaiters = new Set<() => void>();
  /** Called after anything a snapshot holds changed (the local stack saves then). */
  onPersistentChange: (() => void) | undefined;
  counters = emptyStats();
  lastSeq = { call: 0, event: 0, update: 0, user: 100_000_000, group: 4_000_000_000, file: 0, query: 0 };
  /** Hands a new update to the delivery queue (set by the emulator once its queue exists). */
  enqueue: (update: Update, chatId: number) => void = () => undefined;

  constructor(
    readonly botInfo: UserFromGetMe,
    readonly clock: EmulatorClock,
    readonly logger: EmulatorLogger,
    readonly callLogLimit: number,
    readonly emit: Emit,
  ) {}

  /** The bot as the `from` of its messages. */
  botUser(): User {
    const { id, first_name, username } = this.botInfo;
    return { id, is_bot: true, first_name, username };
  }

  /** Clock time in Unix seconds, as message dates are. */
  unixNow(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  /** The next unused number of a kind (user ids and group ids skip those created with explicit ids). */
  freshId(kind: "user" | "group" | "file" | "query"): number {
    const taken = (n: number) =>
      (kind === "user" && this.chats.has(n)) || (kind === "group" && this.chats.has(-n));
    this.lastSeq[kind] += 1;
    while (taken(this.lastSeq[kind])) this.lastSeq[kind] += 1;
    return this.lastSeq[kind];
  }

  requireUser(userId: number): SimulatedUser {
    const user = this.usersById.get(userId);
    if (!user) throw new UnknownUserError(userId);
    return user;
  }

  requireActiveUser(userId: number): SimulatedUser {
    const user = this.requireUser(userId);
    if (this.blocked.has(userId)) throw new UserBlockedBotError(userId);
    return user;
  }

  requireChat(chatId: number): ChatRecord {
    const record = this.chats.get(chatId);
    if (!record) throw new UnknownChatError(chatId);
    return record;
  }

  /** Numbers an update, queues it for the bot and tells the watchers. */
  createUpdate(body: Omit<Update, "update_id">, chatId: number): Update {
    this.lastSeq.update += 1;
    const update = { update_id: this.lastSeq.update, ...body } as Update;
    this.enqueue(update, chatId);
    this.counters.updatesCreated += 1;
    this.emit("update", update);
    this.persistentChange();
    this.signalChange();
    return update;
  }

  /** Keeps a new message (from a user or the bot) and announces it. */
  storeMessage(record: ChatRecord, stored: StoredMessage): void {
    record.messages.set(stored.message.message_id, stored);
    const entry = transcriptEntry(stored);
    this.pushEvent({ type: "message", chatId: record.chat.id, entry });
    this.emit("message", entry);
  }

  /** Numbers and keeps an event for the feed, and wakes its long polls. */
  pushEvent(event: NewEvent): void {
    this.lastSeq.event += 1;
    const full = { ...event, seq: this.lastSeq.event } as EmulatorEvent;
    this.eventLog.push(full);
    if (this.eventLog.length > eventBufferSize * 1.1) {
      this.eventLog.splice(0, this.eventLog.length - eventBufferSize);
    }
    this.emit("event", full);
    for (const check of [...this.eventWaiters]) check();
    this.persistentChange();
    this.signalChange();
  }

  /** Wakes `waitFor` watchers. */
  signalChange(): void {
    for (const check of [...this.changeWatchers]) check();
  }

  /** Notes a change a snapshot holds. */
  persistentChange(): void {
    this.onPersistentChange?.();
  }

  /** Logs one Bot API call and counts it. */
  recordCall(call: Omit<CallRecord, "seq" | "time">): void {
    this.lastSeq.call += 1;
    const full: CallRecord = { seq: this.lastSeq.call, ...call, time: this.clock.now() };
    this.callLog.push(full);
    // Trim in chunks: splicing one record off a long log per call would make every call O(log size).
    if (this.callLog.length > this.callLogLimit * 1.1 + 100) {
      this.callLog.splice(0, this.callLog.length - this.callLogLimit);
    }
    const { response } = call;
    this.counters.calls += 1;
    this.counters.callsByMethod[call.method] = (this.counters.callsByMethod[call.method] ?? 0) + 1;
    if (response && !response.ok && response.error_code === 429) this.counters.tooManyRequests += 1;
    this.logger.debug?.("Bot API call", {
      method: call.method,
      ok: response?.ok ?? false,
      ...(response && !response.ok ? { error: response.description } : {}),
    });
    this.emit("call", full);
    this.signalChange();
  }

  /** Logs one webhook delivery attempt. */
  recordDelivery(attempt: DeliveryAttempt): void {
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

  /** Zeroes the counters and empties the calls and deliveries logs. */
  resetStats(): void {
    this.counters = emptyStats();
    this.callLog = [];
    this.deliveryLog = [];
  }

  /** What to persist: users, chats with their messages, blocked users, files, menus and sequence numbers. */
  snapshot(clean: boolean): EmulatorSnapshot {
    return {
      version: 1,
      clean,
      users: [...this.usersById.values()],
      blocked: [...this.blocked],
      chats: [...this.chats.values()].map((record) => ({
        ...record,
        messages: [...record.messages.values()],
      })),
      files: [...this.files.values()].map(({ data, ...file }) => ({
        ...file,
        ...(data ? { data: data.toString("base64") } : {}),
      })),
      commands: [...this.commands.entries()],
      lastSeq: { ...this.lastSeq },
    };
  }

  /** Loads a snapshot into an empty state (before any user or update exists). */
  restore(snapshot: EmulatorSnapshot): void {
    for (const user of snapshot.users) this.usersById.set(user.id, user);
    for (const id of snapshot.blocked) this.blocked.add(id);
    for (const { messages, ...record } of snapshot.chats)
      this.chats.set(record.chat.id, {
        ...record,
        messages: new Map(messages.map((stored) => [stored.message.message_id, stored])),
      });
    for (const { data, ...file } of snapshot.files)
      this.files.set(file.fileId, { ...file, ...(data ? { data: Buffer.from(data, "base64") } : {}) });
    for (const [key, commands] of snapshot.commands) this.commands.set(key, commands);
    this.lastSeq = { ...this.lastSeq, ...snapshot.lastSeq };
    if (!snapshot.clean) this.lastSeq.update += uncleanIdGap;
  }
}

/** Counters at zero. */
export function emptyStats(): EmulatorStats {
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

/** The `getMe` answer: an id from the token, the local bot's names, and any overrides. */
export function botInfoFor(token: string, overrides: Partial<UserFromGetMe> = {}): UserFromGetMe {
  const idFromToken = Number(token.split(":")[0]);
  const id = Number.isSafeInteger(idFromToken) && idFromToken > 0 ? idFromToken : 123456;
  return { ...configuredBotInfo(id, "lambdagram_local_bot", "Lambdagram (local)"), ...overrides };
}
