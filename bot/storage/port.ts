/**
 * The bot's storage ports: chat state, user profiles, questionnaire answers and processed updates. Each has
 * an in-memory twin (`memory.ts`, tests and the terminal chat) and a DynamoDB adapter (`dynamodb.ts`, Lambda
 * and the local stack) beside it, held to one contract suite (tests/storage/contract.ts). Adapters translate
 * vendor errors into the named errors below and rethrow everything else.
 */
import type { HandoffChatState } from "../handoff/state";
import type { Mode } from "../ports";

/** A questionnaire answer: text, a chosen option value, several option values, or a whole number. */
export type AnswerValue = string | string[] | number;
/** Progress through a questionnaire, kept in the chat state so a user can resume days later. */
export interface FormProgress {
  questionnaireId: string;
  /** The questionnaire version this progress was made against; a different content version restarts it. */
  version: number;
  /** Unique id of this run, so a stored submission is written once even when an update is retried. */
  runId: string;
  /** Index of the question being asked. */
  index: number;
  answers: Record<string, AnswerValue>;
  /** ISO time stamp of each answer. */
  answeredAt: Record<string, string>;
  startedAt: string;
  /** `asking` a question, `confirming` the summary, `editing` after "edit" (re-asks one question then confirms). */
  phase: "asking" | "confirming" | "editing";
  /** Options toggled so far on a several-of question. */
  selection?: string[];
}
/** Conversation state of one chat: small, read and written once per update. */
export interface ChatState {
  /** Language chosen with /language (or from Telegram's language_code at first contact). */
  language?: string;
  /** Tier chosen with /mode; undefined means the configured default. */
  mode?: Mode;
  /** The questionnaire in progress, if any. */
  form?: FormProgress;
  /** The user pressed "ask a question": the next text is a question even in a form-free context. */
  awaitingQuestion?: boolean;
  /** A /broadcast draft waiting for the admin's Send or Cancel. */
  broadcastDraft?: { text: string; createdAt: string };
  /** The most recent update ids handled in this chat, newest last: the duplicate-update guard. */
  recentUpdateIds: number[];
  /** The replies of the last update, saved before any is sent (see {@link PendingReplies}). */
  replies?: PendingReplies;
  /** UTC day (days since the epoch) of the user's last update in this private chat: /stats' active users. */
  activeDay?: number;
  /** Human handoff (bot/handoff/): the question offered to staff, the open thread and the flood counters. */
  handoff?: HandoffChatState;
  /** A /forget waiting for its Confirm: the nonce its buttons carry and when it expires (ISO). */
  forgetRequest?: { nonce: string; expiresAt: string };
  /** The last "did you mean" question, so "None of these" sends it to the inbox with no read (bot/inbox/). */
  unsure?: AskedQuestion;
  /** The last few answers carrying 👍 / 👎, newest last; `key` is in the buttons' data (bot/inbox/feedback.ts). */
  answered?: (Omit<AskedQuestion, "candidates"> & { key: number; intent: string })[];
  /** An admin's place in the /inbox review (entries skipped with "next"). */
  inboxReview?: { offset: number };
}
/** A question as the bot classified it: text (capped), language, tier and best candidates. */
export interface AskedQuestion {
  text: string;
  language: string;
  tier: Mode;
  candidates: { intent: string; confidence: number }[];
}
/** A Bot API call as stored: its method and a plain-JSON payload. */
export interface StoredCall {
  method: string;
  payload: Record<string, unknown>;
  /** A hook (bot/replies.ts `registerSentHook`) given the call's result once sent, e.g. to record a message id. */
  afterSent?: { hook: string; data: Record<string, unknown> };
}
/**
 * The replies of one update, saved with the chat state before the first is sent, so a crash between the save
 * and the sends loses nothing: the re-delivered update sends what is left (docs/data-model.md, "Replies").
 */
export interface PendingReplies {
  updateId: number;
  calls: StoredCall[];
  /** Calls before this index are done (sent, or refused for good by Telegram); marked only when needed. */
  sent: number;
  /** ISO time until which the process that saved the replies may still be sending them. */
  leaseUntil: string;
}
/** Chat state with the version it was read at (0 = never stored). */
export interface VersionedChatState {
  state: ChatState;
  version: number;
}
/** Thrown by {@link ChatStateStore.save} when another update changed the chat since it was read. */
export class ChatStateConflictError extends Error {
  constructor(
    readonly chatId: number,
    readonly expectedVersion: number,
  ) {
    super(
      `Chat ${chatId} changed since version ${expectedVersion} was read; reload the state and handle the update again.`,
    );
    this.name = "ChatStateConflictError";
  }
}
/** Thrown when the storage backend fails (network, throttling, permissions); the update must be retried. */
export class StorageError extends Error {
  constructor(operation: string, options: { cause: unknown }) {
    super(
      `Storage failed during ${operation}: ${(options.cause as Error)?.message ?? String(options.cause)}. ` +
        "Check the table name, the endpoint and the function's IAM permissions.",
      options,
    );
    this.name = "StorageError";
  }
}
/** Per-chat conversation state with optimistic concurrency. */
export interface ChatStateStore {
  /** The stored state, or undefined for a chat never seen. A read failure throws; it never returns empty. */
  load(chatId: number): Promise<VersionedChatState | undefined>;
  /**
   * Writes `state` if the stored version is still `expectedVersion` (0: the chat must not exist yet).
   * @returns the new version
   * @throws ChatStateConflictError when someone else wrote first
   */
  save(chatId: number, state: ChatState, expectedVersion: number): Promise<number>;
  /** Deletes the chat's state (/forget, the blocked-user sweep); deleting a chat never stored is a no-op. */
  delete(chatId: number): Promise<void>;
  /**
   * ISO time of the chat's last save (the adapter's clock), undefined for a chat never stored: the blocked-user
   * sweep's proof that a user wrote after being marked blocked.
   */
  savedAt(chatId: number): Promise<string | undefined>;
}
/** What the bot knows about a user: profile, language and subscription. Written only when it changes. */
export interface UserProfile {
  userId: number;
  /** Private chat id to send to (equal to userId for private chats). */
  chatId: number;
  firstName?: string;
  language: string;
  createdAt: string;
  updatedAt: string;
  /** From the learner-profile questionnaire. */
  name?: string;
  level?: string;
  topics?: string[];
  /** Hour of day (0-23, in the schedule's time zone) the daily tip is sent. */
  tipHour?: number;
  subscribed: boolean;
  /** Set when Telegram answers 403 (bot blocked) or "chat not found"; blocked users get nothing. */
  blocked: boolean;
  /**
   * ISO time the user was marked blocked: set by the store when `blocked` turns true, removed when it turns
   * false. The blocked-user sweep forgets users blocked longer than `forgetBlockedAfterDays` (bot/privacy/).
   */
  blockedAt?: string;
}
/** Fields of a profile that may change after creation. */
export type UserProfileChanges = Partial<Omit<UserProfile, "userId" | "createdAt">>;
/** A page of results and the cursor to continue from (undefined at the end). */
export interface Page<T> {
  items: T[];
  cursor?: string;
}
/** Users, their profiles and subscriptions. */
export interface UserStore {
  get(userId: number): Promise<UserProfile | undefined>;
  /** Creates the profile unless it exists; returns the stored one either way. */
  createIfMissing(profile: UserProfile): Promise<UserProfile>;
  /** Applies changes to an existing profile and returns the result. */
  update(userId: number, changes: UserProfileChanges): Promise<UserProfile>;
  /** Subscribed, unblocked users whose tip hour is `hour`, paged. */
  listSubscribersDue(hour: number, options?: { cursor?: string; limit?: number }): Promise<Page<UserProfile>>;
  /** Every user in one audience shard (see contracts/table.ts), paged; for broadcasts. */
  listAudience(shard: number, options?: { cursor?: string; limit?: number }): Promise<Page<UserProfile>>;
  /**
   * Users marked blocked on `day` (`YYYY-MM-DD`, UTC, the day of `blockedAt`) and still blocked, paged: the
   * blocked-user sweep reads the days it is due to forget without scanning the table.
   */
  listBlockedOn(day: string, options?: { cursor?: string; limit?: number }): Promise<Page<UserProfile>>;
  /** Deletes the user's profile (and with it its index entries); idempotent. */
  forgetUser(userId: number): Promise<void>;
}
/** A completed questionnaire, stored once per run. */
export interface QuestionnaireSubmission {
  userId: number;
  questionnaireId: string;
  questionnaireVersion: number;
  runId: string;
  answers: Record<string, AnswerValue>;
  answeredAt: Record<string, string>;
  startedAt: string;
  submittedAt: string;
}
/** Questionnaire answers. `save` is idempotent on (userId, questionnaireId, runId). */
export interface AnswerStore {
  save(submission: QuestionnaireSubmission): Promise<void>;
  /** Submissions of a user, oldest first, optionally for one questionnaire. */
  list(userId: number, questionnaireId?: string): Promise<QuestionnaireSubmission[]>;
  /**
   * Every completed run of one questionnaire, all users, paged oldest first by `submittedAt` (the sparse
   * `responses` index): results and exports read it page by page instead of holding them all.
   */
  listResponses(
    questionnaireId: string,
    options?: { cursor?: string; limit?: number },
  ): Promise<Page<QuestionnaireSubmission>>;
  /** Deletes every submission of the user; idempotent. */
  forgetUser(userId: number): Promise<void>;
}
/** Guards updates that carry no chat (and any other one-off key) against double processing. */
export interface ProcessedUpdateStore {
  /** True the first time a key is claimed, false afterwards (until `ttlSeconds` have passed). */
  claim(key: string, ttlSeconds: number): Promise<boolean>;
}
/** The storage ports together, as the bot receives them. */
export interface Storage {
  chats: ChatStateStore;
  users: UserStore;
  answers: AnswerStore;
  processedUpdates: ProcessedUpdateStore;
}
