/**
 * The handoff store port (adapters beside it: dynamodb.ts, memory.ts): the threads that hand a user over to
 * the operator's staff (bot/handoff/). Three kinds of item, so every access is by key and nothing scans:
 * - `HANDOFF#<threadId>` / `THREAD`: the thread (who, language, until when, open or closed, its messages in
 *   the support chat). Read only by handoff traffic: an ordinary update never touches it (the user's chat
 *   state carries the "in a thread until" flag).
 * - `HANDOFFMSG#<supportChatId>#<messageId>` / `MSG`: which thread a message the bot posted in the support
 *   chat belongs to, so a staff member's reply to it finds the thread.
 * - `USER#<userId>` / `HANDOFF#<threadId>`: the user's pointer to each of their threads, so `forgetUser`
 *   finds everything with one Query of the user's item collection.
 * Items expire (TTL) {@link handoffRetentionDays} after the thread opened.
 */
import { tableDefinition } from "../../../contracts/table";

/** Who ended a thread: staff with /close, the user (Done, /done), or its 24 hours running out. */
export type ThreadCloser = "staff" | "user" | "expiry";

/** One handoff: a user's conversation with the staff in the support chat. */
export interface HandoffThread {
  /** Random, short, shown to staff as a hashtag (`#t_<id>`); never derived from the user id. */
  threadId: string;
  userId: number;
  /** The user's private chat with the bot, where staff replies go. */
  chatId: number;
  /** The support chat the thread lives in. */
  supportChatId: number;
  firstName: string;
  /** The user's language (replies and notices to the user are in it). */
  language: string;
  openedAt: string;
  /** ISO time the thread ends by itself. */
  until: string;
  status: "open" | "closed";
  closedAt?: string;
  closedBy?: ThreadCloser;
  /** The thread's first message in the support chat (follow-ups are posted as replies to it). */
  rootMessageId?: number;
  /** Every message the bot posted in the support chat for this thread (their index items go with it). */
  supportMessageIds: number[];
}

/** How a thread was closed: by whom, when, and a random id telling this close from another. */
export interface ThreadClose {
  by: ThreadCloser;
  at: string;
  closeId: string;
}

/** Handoff threads, their support-chat messages and the users' pointers to them. */
export interface HandoffStore {
  /** Stores a new thread and the user's pointer to it; opening the same thread id again changes nothing. */
  open(thread: HandoffThread): Promise<void>;
  /** The thread, or undefined (never opened, forgotten or expired). */
  get(threadId: string): Promise<HandoffThread | undefined>;
  /**
   * Remembers that support-chat message `messageId` belongs to the thread (and is its first message when
   * `root`). Does nothing when the thread is gone (forgotten in between).
   */
  recordMessage(threadId: string, messageId: number, options?: { root?: boolean }): Promise<void>;
  /** The id of the thread a support-chat message belongs to, if the bot posted it for one. */
  threadOfMessage(supportChatId: number, messageId: number): Promise<string | undefined>;
  /**
   * Closes an open thread. Returns the closed thread when this call closed it (or an earlier attempt of the
   * same `closeId` did), undefined when it was already closed by someone else or does not exist, so only one
   * closer tells the user and the staff.
   */
  close(threadId: string, close: ThreadClose): Promise<HandoffThread | undefined>;
  /** Deletes every thread of the user, their message index items and the user's pointers. */
  forgetUser(userId: number): Promise<void>;
}

/** Days a thread (and its index items) is kept after it opened; DynamoDB TTL deletes it then. */
export const handoffRetentionDays = 30;

const pk = tableDefinition.partitionKey;
const sk = tableDefinition.sortKey;

/** Key builders of the handoff items. */
export const handoffKeys = {
  thread: (threadId: string) => ({ [pk]: `HANDOFF#${threadId}`, [sk]: "THREAD" }),
  message: (supportChatId: number, messageId: number) => ({
    [pk]: `HANDOFFMSG#${supportChatId}#${messageId}`,
    [sk]: "MSG",
  }),
  pointer: (userId: number, threadId: string) => ({ [pk]: `USER#${userId}`, [sk]: `HANDOFF#${threadId}` }),
  /** The sort-key prefix of a user's pointers. */
  pointerPrefix: "HANDOFF#",
};

/** Thrown for a thread id the handoff store cannot key (`#` or empty): ids are the bot's own random words. */
export class InvalidThreadIdError extends Error {
  constructor(threadId: string) {
    super(
      `"${threadId}" is not a handoff thread id: use letters and digits only (bot/handoff/ makes them with newThreadId).`,
    );
    this.name = "InvalidThreadIdError";
  }
}

/** Refuses ids that would break the key layout. */
export function checkThreadId(threadId: string): void {
  if (!/^[A-Za-z0-9]{1,32}$/.test(threadId)) throw new InvalidThreadIdError(threadId);
}

/** Epoch seconds when the items of a thread opened at `openedAt` expire. */
export function handoffExpiresAt(openedAt: string): number {
  return Math.floor(Date.parse(openedAt) / 1000) + handoffRetentionDays * 24 * 3600;
}
