/**
 * In-memory twin of the DynamoDB storage, for unit tests, the terminal chat and anything that must run without
 * a database. It keeps the SAME semantics as `dynamodb.ts` (proved by tests/storage/contract.ts): versioned
 * conditional saves, claims that expire by the clock, sparse tip index, sharded audience, opaque cursors.
 * Values are deep-copied in and out, so a caller mutating an object never changes stored state.
 */
import type { Clock } from "../ports";
import { InvalidStorageArgumentError, UserNotFoundError } from "./errors";
import {
  type AnswerStore,
  type ChatState,
  ChatStateConflictError,
  type ChatStateStore,
  type Page,
  type ProcessedUpdateStore,
  type QuestionnaireSubmission,
  type Storage,
  StorageError,
  type UserProfile,
  type UserProfileChanges,
  type UserStore,
  type VersionedChatState,
} from "./port";
import {
  applyProfileChanges,
  audienceShardOf,
  blockedDay,
  checkDay,
  checkQuestionnaireId,
  checkShard,
  checkTipHour,
  compareSubmissions,
  decodeCursor,
  encodeCursor,
  isDueForTips,
  pageLimit,
  responseSortKey,
  storedCopy,
  systemClock,
  withBlockedSince,
} from "./shared";

/**
 * Shared switch that lets tests simulate a database outage: while it is on, every call of every store throws
 * a {@link StorageError}, exactly as the DynamoDB adapter does when the network or the table fails.
 */
export class MemoryBackend {
  private outage: unknown;

  /** Makes every following call throw `StorageError` with `cause` until {@link endOutage}. */
  simulateOutage(cause: unknown = new Error("simulated outage of the in-memory storage")): void {
    this.outage = cause;
  }

  /** Ends a simulated outage. */
  endOutage(): void {
    this.outage = undefined;
  }

  /** Throws the simulated outage, if any, as a `StorageError` for `operation`. */
  check(operation: string): void {
    if (this.outage !== undefined) throw new StorageError(operation, { cause: this.outage });
  }
}

/** {@link ChatStateStore} in memory: a version per chat, conditional save like a DynamoDB conditional put. */
export class MemoryChatStateStore implements ChatStateStore {
  private readonly chats = new Map<number, VersionedChatState>();
  private readonly savedAts = new Map<number, string>();

  constructor(
    private readonly backend = new MemoryBackend(),
    private readonly clock: Clock = systemClock,
  ) {}

  /** @inheritdoc */
  async load(chatId: number): Promise<VersionedChatState | undefined> {
    this.backend.check("chats.load");
    const stored = this.chats.get(chatId);
    return stored && storedCopy(stored);
  }

  /** @inheritdoc */
  async save(chatId: number, state: ChatState, expectedVersion: number): Promise<number> {
    this.backend.check("chats.save");
    const storedVersion = this.chats.get(chatId)?.version ?? 0;
    if (storedVersion !== expectedVersion) throw new ChatStateConflictError(chatId, expectedVersion);
    const version = expectedVersion + 1;
    this.chats.set(chatId, { state: storedCopy(state), version });
    this.savedAts.set(chatId, this.clock.now().toISOString());
    return version;
  }

  /** @inheritdoc */
  async delete(chatId: number): Promise<void> {
    this.backend.check("chats.delete");
    this.chats.delete(chatId);
    this.savedAts.delete(chatId);
  }

  /** @inheritdoc */
  async savedAt(chatId: number): Promise<string | undefined> {
    this.backend.check("chats.savedAt");
    return this.savedAts.get(chatId);
  }
}

/** Sort key the twin pages by: the same string DynamoDB's index sort keys use (`USER#<userId>`). */
function userKey(userId: number): string {
  return `USER#${userId}`;
}

/** {@link UserStore} in memory; the due and audience "indexes" are computed from the profiles on each query. */
export class MemoryUserStore implements UserStore {
  private readonly users = new Map<number, UserProfile>();

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly backend = new MemoryBackend(),
  ) {}

  /** @inheritdoc */
  async get(userId: number): Promise<UserProfile | undefined> {
    this.backend.check("users.get");
    const stored = this.users.get(userId);
    return stored && storedCopy(stored);
  }

  /** @inheritdoc */
  async createIfMissing(profile: UserProfile): Promise<UserProfile> {
    this.backend.check("users.createIfMissing");
    if (profile.tipHour !== undefined) checkTipHour(profile.tipHour);
    const stored = this.users.get(profile.userId);
    if (stored) return storedCopy(stored);
    const created = withBlockedSince(profile);
    this.users.set(profile.userId, storedCopy(created));
    return storedCopy(created);
  }

  /** @inheritdoc */
  async update(userId: number, changes: UserProfileChanges): Promise<UserProfile> {
    this.backend.check("users.update");
    const stored = this.users.get(userId);
    if (!stored) throw new UserNotFoundError(userId);
    const updated = storedCopy(applyProfileChanges(stored, changes, this.clock));
    this.users.set(userId, updated);
    return storedCopy(updated);
  }

  /** @inheritdoc */
  async listSubscribersDue(
    hour: number,
    options?: { cursor?: string; limit?: number },
  ): Promise<Page<UserProfile>> {
    this.backend.check("users.listSubscribersDue");
    checkTipHour(hour);
    return this.page(`tipsDue TIP#${hour}`, (user) => isDueForTips(user) && user.tipHour === hour, options);
  }

  /** @inheritdoc */
  async listAudience(
    shard: number,
    options?: { cursor?: string; limit?: number },
  ): Promise<Page<UserProfile>> {
    this.backend.check("users.listAudience");
    checkShard(shard);
    return this.page(`audience AUD#${shard}`, (user) => audienceShardOf(user.userId) === shard, options);
  }

  /** @inheritdoc */
  async listBlockedOn(
    day: string,
    options?: { cursor?: string; limit?: number },
  ): Promise<Page<UserProfile>> {
    this.backend.check("users.listBlockedOn");
    checkDay(day);
    return this.page(
      `blocked BLOCKED#${day}`,
      (user) => user.blocked && user.blockedAt !== undefined && blockedDay(user.blockedAt) === day,
      options,
    );
  }

  /** @inheritdoc */
  async forgetUser(userId: number): Promise<void> {
    this.backend.check("users.forgetUser");
    this.users.delete(userId);
  }

  /**
   * Pages the matching users in sort-key order, resuming strictly after the cursor's key, like a Query.
   * The cursor remembers its query (`scope`) so one from another query is rejected, as DynamoDB's would be.
   */
  private page(
    scope: string,
    matches: (user: UserProfile) => boolean,
    options: { cursor?: string; limit?: number } = {},
  ): Page<UserProfile> {
    const limit = pageLimit(options.limit);
    const position = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    if (position && position.scope !== scope) {
      throw new InvalidStorageArgumentError(
        `The page cursor belongs to another query than ${scope}; pass back the cursor this query returned.`,
      );
    }
    const after = position?.after;
    const sorted = [...this.users.values()]
      .filter(matches)
      .map((user) => ({ key: userKey(user.userId), user }))
      .filter(({ key }) => typeof after !== "string" || key > after)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const pageItems = sorted.slice(0, limit);
    const last = pageItems.at(-1);
    const cursor = sorted.length > limit && last ? encodeCursor({ scope, after: last.key }) : undefined;
    return { items: pageItems.map(({ user }) => storedCopy(user)), ...(cursor ? { cursor } : {}) };
  }
}

/** {@link AnswerStore} in memory, idempotent on (userId, questionnaireId, startedAt, runId) like the DynamoDB key. */
export class MemoryAnswerStore implements AnswerStore {
  private readonly submissions = new Map<string, QuestionnaireSubmission>();

  constructor(private readonly backend = new MemoryBackend()) {}

  /** @inheritdoc */
  async save(submission: QuestionnaireSubmission): Promise<void> {
    this.backend.check("answers.save");
    checkQuestionnaireId(submission.questionnaireId);
    const key = [submission.userId, submission.questionnaireId, submission.startedAt, submission.runId].join(
      "#",
    );
    if (!this.submissions.has(key)) this.submissions.set(key, storedCopy(submission));
  }

  /** @inheritdoc */
  async list(userId: number, questionnaireId?: string): Promise<QuestionnaireSubmission[]> {
    this.backend.check("answers.list");
    if (questionnaireId !== undefined) checkQuestionnaireId(questionnaireId);
    return [...this.submissions.values()]
      .filter(
        (s) =>
          s.userId === userId && (questionnaireId === undefined || s.questionnaireId === questionnaireId),
      )
      .sort(compareSubmissions)
      .map(storedCopy);
  }

  /** @inheritdoc */
  async listResponses(
    questionnaireId: string,
    options: { cursor?: string; limit?: number } = {},
  ): Promise<Page<QuestionnaireSubmission>> {
    this.backend.check("answers.listResponses");
    checkQuestionnaireId(questionnaireId);
    const limit = pageLimit(options.limit);
    const scope = `responses Q#${questionnaireId}`;
    const position = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    if (position && position.scope !== scope) {
      throw new InvalidStorageArgumentError(
        `The page cursor belongs to another query than ${scope}; pass back the cursor this query returned.`,
      );
    }
    const after = typeof position?.after === "string" ? position.after : undefined;
    const sorted = [...this.submissions.values()]
      .filter((s) => s.questionnaireId === questionnaireId)
      .map((submission) => ({ key: responseSortKey(submission), submission }))
      .filter(({ key }) => after === undefined || key > after)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const pageItems = sorted.slice(0, limit);
    const last = pageItems.at(-1);
    const cursor = sorted.length > limit && last ? encodeCursor({ scope, after: last.key }) : undefined;
    return {
      items: pageItems.map(({ submission }) => storedCopy(submission)),
      ...(cursor ? { cursor } : {}),
    };
  }

  /** @inheritdoc */
  async forgetUser(userId: number): Promise<void> {
    this.backend.check("answers.forgetUser");
    for (const [key, submission] of this.submissions)
      if (submission.userId === userId) this.submissions.delete(key);
  }
}

/** {@link ProcessedUpdateStore} in memory: a claim holds until its expiry (epoch seconds) is in the past. */
export class MemoryProcessedUpdateStore implements ProcessedUpdateStore {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly backend = new MemoryBackend(),
  ) {}

  /** @inheritdoc */
  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    this.backend.check("processedUpdates.claim");
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const expiresAt = this.expiries.get(key);
    if (expiresAt !== undefined && !(expiresAt < now)) return false;
    this.expiries.set(key, now + ttlSeconds);
    return true;
  }
}

/** The in-memory {@link Storage}, plus the outage switch tests use to exercise StorageError handling. */
export interface MemoryStorage extends Storage {
  /** Makes every store throw `StorageError` until {@link MemoryStorage.endOutage}. */
  simulateOutage(cause?: unknown): void;
  /** Ends a simulated outage. */
  endOutage(): void;
}

/**
 * Builds the in-memory twin of the DynamoDB storage. Pass a fake `clock` to move claim expiry in tests.
 * Shards follow `audienceShards` from contracts/table.ts, as in DynamoDB.
 */
export function createMemoryStorage(options: { clock?: Clock } = {}): MemoryStorage {
  const clock = options.clock ?? systemClock;
  const backend = new MemoryBackend();
  return {
    chats: new MemoryChatStateStore(backend, clock),
    users: new MemoryUserStore(clock, backend),
    answers: new MemoryAnswerStore(backend),
    processedUpdates: new MemoryProcessedUpdateStore(clock, backend),
    simulateOutage: (cause) => backend.simulateOutage(cause),
    endOutage: () => backend.endOutage(),
  };
}
