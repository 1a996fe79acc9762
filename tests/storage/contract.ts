/**
 * The storage contract: every behaviour the bot relies on, run against each implementation (in-memory twin,
 * dynalite, Amazon's DynamoDB Local) so they cannot drift apart. A new backend passes this suite or is wrong.
 */

import { InvalidStorageArgumentError, UserNotFoundError } from "../../bot/storage/errors";
import {
  type ChatState,
  ChatStateConflictError,
  type Page,
  type QuestionnaireSubmission,
  type Storage,
  StorageError,
  type UserProfile,
} from "../../bot/storage/port";
import { audienceShards } from "../../contracts/table";
import { FakeClock } from "../helpers/clock";

export { FakeClock };

/** One fresh, empty storage per test. */
export interface ContractSubject {
  storage: Storage;
  /** The clock the storage reads; without it the expiry case waits in real time. */
  clock?: FakeClock;
  /** Makes the backend fail (delete the table, stop the server, simulate an outage). */
  breakBackend(): Promise<void>;
  teardown(): Promise<void>;
}

/** A profile with sensible defaults; `overrides` pick what a test is about. */
export function aProfile(userId: number, overrides: Partial<UserProfile> = {}): UserProfile {
  return {
    userId,
    chatId: userId,
    firstName: `User ${userId}`,
    language: "en",
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
    subscribed: false,
    blocked: false,
    ...overrides,
  };
}

/** A completed questionnaire run with sensible defaults. */
export function aSubmission(overrides: Partial<QuestionnaireSubmission> = {}): QuestionnaireSubmission {
  return {
    userId: 7,
    questionnaireId: "profile",
    questionnaireVersion: 1,
    runId: "run-1",
    answers: { name: "Ana", topics: ["grammar", "travel"], age: 31 },
    answeredAt: { name: "2025-01-01T08:00:01.000Z" },
    startedAt: "2025-01-01T08:00:00.000Z",
    submittedAt: "2025-01-01T08:05:00.000Z",
    ...overrides,
  };
}

/** Follows cursors until the end, checking every page respects `limit`. */
async function allPages(
  fetch: (options: { cursor?: string; limit?: number }) => Promise<Page<UserProfile>>,
  limit: number,
): Promise<{ userIds: number[]; pages: number }> {
  const userIds: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await fetch({ limit, ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    userIds.push(...page.items.map((user) => user.userId));
    cursor = page.cursor;
    pages++;
    if (pages > 1000) throw new Error("paging never ended: the cursor does not advance");
  } while (cursor);
  return { userIds, pages };
}

async function dueUserIds(storage: Storage, hour: number): Promise<number[]> {
  const { userIds } = await allPages((options) => storage.users.listSubscribersDue(hour, options), 100);
  return userIds.sort((a, b) => a - b);
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

/** Registers the contract suite for one implementation; `setup` runs before every test. */
export function describeStorageContract(name: string, setup: () => Promise<ContractSubject>): void {
  describe(`storage contract: ${name}`, () => {
    let subject: ContractSubject;
    let storage: Storage;

    beforeEach(async () => {
      subject = await setup();
      storage = subject.storage;
    });

    afterEach(async () => {
      await subject?.teardown();
    });

    describe("chat state", () => {
      const state: ChatState = { language: "en", recentUpdateIds: [1] };

      it("loads a chat never seen as undefined", async () => {
        // Act
        const loaded = await storage.chats.load(404);

        // Assess
        expect(loaded).toBeUndefined();
      });

      it("saves a new chat at expected version 0 and loads it back at version 1", async () => {
        // Act
        const version = await storage.chats.save(1, state, 0);
        const loaded = await storage.chats.load(1);

        // Assess
        expect(version).toBe(1);
        expect(loaded).toEqual({ state, version: 1 });
      });

      it("increments the version on every save", async () => {
        // Prepare
        await storage.chats.save(1, state, 0);

        // Act
        const second = await storage.chats.save(1, { ...state, recentUpdateIds: [1, 2] }, 1);
        const third = await storage.chats.save(1, { ...state, recentUpdateIds: [1, 2, 3] }, 2);

        // Assess
        expect([second, third]).toEqual([2, 3]);
        expect(await storage.chats.load(1)).toEqual({
          state: { ...state, recentUpdateIds: [1, 2, 3] },
          version: 3,
        });
      });

      it("rejects a save from a stale version with ChatStateConflictError and keeps the stored state", async () => {
        // Prepare
        await storage.chats.save(1, state, 0);
        await storage.chats.save(1, { ...state, mode: "nlp" }, 1);

        // Act
        const stale = storage.chats.save(1, { ...state, mode: "rules" }, 1);

        // Assess
        await expect(stale).rejects.toBeInstanceOf(ChatStateConflictError);
        await expect(stale).rejects.toMatchObject({ chatId: 1, expectedVersion: 1 });
        expect(await storage.chats.load(1)).toEqual({ state: { ...state, mode: "nlp" }, version: 2 });
      });

      it("rejects creating a chat (version 0) that another update created first", async () => {
        // Prepare
        await storage.chats.save(1, state, 0);

        // Act
        const duplicate = storage.chats.save(1, { ...state, language: "vi" }, 0);

        // Assess
        await expect(duplicate).rejects.toBeInstanceOf(ChatStateConflictError);
        expect((await storage.chats.load(1))?.state.language).toBe("en");
      });

      it("rejects a save at a version the chat never reached", async () => {
        // Act
        const ahead = storage.chats.save(1, state, 5);

        // Assess
        await expect(ahead).rejects.toBeInstanceOf(ChatStateConflictError);
        expect(await storage.chats.load(1)).toBeUndefined();
      });

      it("lets exactly one of two concurrent saves from the same version win", async () => {
        // Prepare
        await storage.chats.save(1, state, 0);

        // Act
        const results = await Promise.allSettled([
          storage.chats.save(1, { ...state, language: "de" }, 1),
          storage.chats.save(1, { ...state, language: "fr" }, 1),
        ]);

        // Assess
        const won = results.filter((result) => result.status === "fulfilled");
        const lost = results.filter((result) => result.status === "rejected");
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ChatStateConflictError);
        const stored = await storage.chats.load(1);
        expect(stored?.version).toBe(2);
        expect(["de", "fr"]).toContain(stored?.state.language);
      });

      it("round-trips nested values and drops undefined fields", async () => {
        // Prepare
        const nested: ChatState = {
          language: "zh-TW",
          mode: undefined,
          awaitingQuestion: false,
          broadcastDraft: { text: "Hello <b>all</b> ✨", createdAt: "2025-01-01T08:00:00.000Z" },
          form: {
            questionnaireId: "profile",
            version: 3,
            runId: "r-1",
            index: 2,
            answers: { name: "Ana", topics: ["a", "b"], age: 0, empty: "" },
            answeredAt: { name: "2025-01-01T08:00:00.000Z" },
            startedAt: "2025-01-01T07:59:00.000Z",
            phase: "editing",
            selection: [],
          },
          recentUpdateIds: [900000001, 900000002],
        };

        // Act
        await storage.chats.save(9, nested, 0);
        const loaded = await storage.chats.load(9);

        // Assess
        expect(loaded?.state).toEqual(nested);
        expect(loaded?.state).not.toHaveProperty("mode");
      });

      it("stores a copy: mutating the saved or loaded object changes nothing stored", async () => {
        // Prepare
        const original: ChatState = { language: "en", recentUpdateIds: [1] };
        await storage.chats.save(1, original, 0);

        // Act
        original.recentUpdateIds.push(2);
        const loaded = await storage.chats.load(1);
        loaded?.state.recentUpdateIds.push(3);

        // Assess
        expect((await storage.chats.load(1))?.state.recentUpdateIds).toEqual([1]);
      });

      it("keeps chats apart, negative (group) chat ids included", async () => {
        // Act
        await storage.chats.save(-1001, { language: "vi", recentUpdateIds: [] }, 0);
        await storage.chats.save(1001, { language: "en", recentUpdateIds: [] }, 0);

        // Assess
        expect((await storage.chats.load(-1001))?.state.language).toBe("vi");
        expect((await storage.chats.load(1001))?.state.language).toBe("en");
      });
    });

    describe("users", () => {
      it("gets a user never created as undefined", async () => {
        // Act
        const user = await storage.users.get(404);

        // Assess
        expect(user).toBeUndefined();
      });

      it("creates a missing user once and keeps the first profile on the second call", async () => {
        // Prepare
        const first = aProfile(1, { language: "en", topics: ["travel"] });

        // Act
        const created = await storage.users.createIfMissing(first);
        const again = await storage.users.createIfMissing(
          aProfile(1, { language: "vi", firstName: "Other" }),
        );

        // Assess
        expect(created).toEqual(first);
        expect(again).toEqual(first);
        expect(await storage.users.get(1)).toEqual(first);
      });

      it("updates fields, removes an optional field given as undefined and keeps userId and createdAt", async () => {
        // Prepare
        await storage.users.createIfMissing(aProfile(1, { level: "A2", name: "Ana" }));

        // Act
        const updated = await storage.users.update(1, {
          level: "B1",
          name: undefined,
          topics: ["grammar"],
          updatedAt: "2025-02-01T00:00:00.000Z",
          ...({ userId: 99, createdAt: "1999-01-01T00:00:00.000Z" } as object),
        });

        // Assess
        const expected = aProfile(1, {
          level: "B1",
          topics: ["grammar"],
          updatedAt: "2025-02-01T00:00:00.000Z",
        });
        expect(updated).toEqual(expected);
        expect(updated).not.toHaveProperty("name");
        expect(await storage.users.get(1)).toEqual(expected);
      });

      it("stamps updatedAt with the clock when the change does not set it", async () => {
        // Prepare
        await storage.users.createIfMissing(aProfile(1));

        // Act
        const updated = await storage.users.update(1, { language: "vi" });

        // Assess
        expect(updated.language).toBe("vi");
        expect(updated.updatedAt).not.toBe("2025-01-01T00:00:00.000Z");
        if (subject.clock) expect(updated.updatedAt).toBe(subject.clock.now().toISOString());
      });

      it("throws UserNotFoundError when updating a user never created", async () => {
        // Act
        const update = storage.users.update(404, { language: "vi" });
        const subscribe = storage.users.update(405, { subscribed: true, tipHour: 8 });

        // Assess
        await expect(update).rejects.toBeInstanceOf(UserNotFoundError);
        await expect(subscribe).rejects.toBeInstanceOf(UserNotFoundError);
        expect(await storage.users.get(404)).toBeUndefined();
        expect(await storage.users.get(405)).toBeUndefined();
      });

      it("lists a user as due only while subscribed, unblocked and at their tip hour", async () => {
        // Prepare
        await storage.users.createIfMissing(aProfile(1));
        await storage.users.createIfMissing(aProfile(2, { subscribed: true, tipHour: 8 }));

        // Act + Assess: each change moves user 1 in or out of the due list
        expect(await dueUserIds(storage, 8)).toEqual([2]);

        await storage.users.update(1, { subscribed: true, tipHour: 8 });
        expect(await dueUserIds(storage, 8)).toEqual([1, 2]);

        await storage.users.update(1, { tipHour: 19 });
        expect(await dueUserIds(storage, 8)).toEqual([2]);
        expect(await dueUserIds(storage, 19)).toEqual([1]);

        await storage.users.update(1, { blocked: true });
        expect(await dueUserIds(storage, 19)).toEqual([]);

        await storage.users.update(1, { blocked: false });
        expect(await dueUserIds(storage, 19)).toEqual([1]);

        await storage.users.update(1, { subscribed: false });
        expect(await dueUserIds(storage, 19)).toEqual([]);

        await storage.users.update(1, { subscribed: true, tipHour: undefined });
        expect(await dueUserIds(storage, 19)).toEqual([]);
        expect((await storage.users.get(1))?.tipHour).toBeUndefined();

        await storage.users.update(1, { tipHour: 0 });
        expect(await dueUserIds(storage, 0)).toEqual([1]);
      });

      it("keeps the due list in step when other fields change", async () => {
        // Prepare
        await storage.users.createIfMissing(aProfile(1, { subscribed: true, tipHour: 8 }));

        // Act
        await storage.users.update(1, { language: "vi", level: "C1" });

        // Assess
        const [due] = (await storage.users.listSubscribersDue(8)).items;
        expect(due).toMatchObject({ userId: 1, language: "vi", level: "C1" });
      });

      it("pages the due list with a limit, returning every due user exactly once", async () => {
        // Prepare: 23 due at 8, plus users due at another hour, unsubscribed, blocked or without an hour
        const due = Array.from({ length: 23 }, (_, i) => 100 + i * 37);
        for (const userId of due)
          await storage.users.createIfMissing(aProfile(userId, { subscribed: true, tipHour: 8 }));
        await storage.users.createIfMissing(aProfile(1, { subscribed: true, tipHour: 9 }));
        await storage.users.createIfMissing(aProfile(2, { subscribed: false, tipHour: 8 }));
        await storage.users.createIfMissing(aProfile(3, { subscribed: true, blocked: true, tipHour: 8 }));
        await storage.users.createIfMissing(aProfile(4, { subscribed: true }));

        // Act
        const { userIds, pages } = await allPages(
          (options) => storage.users.listSubscribersDue(8, options),
          5,
        );

        // Assess
        expect(sorted(userIds)).toEqual(sorted(due));
        expect(new Set(userIds).size).toBe(userIds.length);
        expect(pages).toBeGreaterThanOrEqual(5);
      });

      it("lists the audience across all shards, every user exactly once", async () => {
        // Prepare
        const everyone = [...Array.from({ length: 40 }, (_, i) => i + 1), 5_000_000_017, 123_456_789];
        for (const userId of everyone) {
          await storage.users.createIfMissing(aProfile(userId, { blocked: userId % 5 === 0 }));
        }

        // Act
        const seen: number[] = [];
        for (let shard = 0; shard < audienceShards; shard++) {
          const { userIds } = await allPages((options) => storage.users.listAudience(shard, options), 2);
          expect(userIds.every((userId) => userId % audienceShards === shard)).toBe(true);
          seen.push(...userIds);
        }

        // Assess
        expect(sorted(seen)).toEqual(sorted(everyone));
      });

      it("returns no cursor when everything fits on one page", async () => {
        // Prepare
        await storage.users.createIfMissing(aProfile(16));

        // Act
        const page = await storage.users.listAudience(0);

        // Assess
        expect(page.items.map((user) => user.userId)).toEqual([16]);
        expect(page.cursor).toBeUndefined();
      });

      it("rejects hours, shards, limits and cursors no query can use", async () => {
        // Prepare
        for (const userId of [1, 2, 3]) {
          await storage.users.createIfMissing(
            aProfile(userId * audienceShards, { subscribed: true, tipHour: 8 }),
          );
        }
        const { cursor } = await storage.users.listAudience(0, { limit: 1 });

        // Act + Assess
        await expect(storage.users.listSubscribersDue(24)).rejects.toBeInstanceOf(
          InvalidStorageArgumentError,
        );
        await expect(storage.users.listAudience(audienceShards)).rejects.toBeInstanceOf(
          InvalidStorageArgumentError,
        );
        await expect(storage.users.listAudience(0, { limit: 0 })).rejects.toBeInstanceOf(
          InvalidStorageArgumentError,
        );
        await expect(storage.users.listAudience(0, { cursor: "not a cursor" })).rejects.toBeInstanceOf(
          InvalidStorageArgumentError,
        );
        expect(cursor).toBeDefined();
        await expect(storage.users.listAudience(1, { cursor: cursor as string })).rejects.toBeInstanceOf(
          InvalidStorageArgumentError,
        );
        await expect(
          storage.users.listSubscribersDue(8, { cursor: cursor as string }),
        ).rejects.toBeInstanceOf(InvalidStorageArgumentError);
        await expect(storage.users.update(1 * audienceShards, { tipHour: 24 })).rejects.toBeInstanceOf(
          InvalidStorageArgumentError,
        );
      });

      it("returns copies: mutating a returned profile changes nothing stored", async () => {
        // Prepare
        await storage.users.createIfMissing(aProfile(1, { topics: ["a"] }));

        // Act
        const user = await storage.users.get(1);
        user?.topics?.push("b");

        // Assess
        expect((await storage.users.get(1))?.topics).toEqual(["a"]);
      });
    });

    describe("answers", () => {
      it("saves a submission once: a retried save keeps the first and succeeds", async () => {
        // Prepare
        const submission = aSubmission();

        // Act
        await storage.answers.save(submission);
        await storage.answers.save({ ...submission, answers: { name: "Changed" } });

        // Assess
        expect(await storage.answers.list(7)).toEqual([submission]);
      });

      it("lists a user's submissions oldest first, optionally for one questionnaire", async () => {
        // Prepare
        const late = aSubmission({
          questionnaireId: "a-feedback",
          runId: "r3",
          startedAt: "2025-03-01T00:00:00.000Z",
        });
        const early = aSubmission({
          questionnaireId: "profile",
          runId: "r1",
          startedAt: "2025-01-01T00:00:00.000Z",
        });
        const middle = aSubmission({
          questionnaireId: "profile",
          runId: "r2",
          startedAt: "2025-02-01T00:00:00.000Z",
        });
        const similarId = aSubmission({ questionnaireId: "profile-extra", runId: "r4" });
        const otherUser = aSubmission({ userId: 8, runId: "r5" });
        for (const submission of [late, middle, similarId, otherUser, early])
          await storage.answers.save(submission);

        // Act
        const all = await storage.answers.list(7);
        const profileOnly = await storage.answers.list(7, "profile");

        // Assess
        expect(all.map((s) => s.runId)).toEqual(["r1", "r4", "r2", "r3"]);
        expect(profileOnly.map((s) => s.runId)).toEqual(["r1", "r2"]);
        expect(await storage.answers.list(9)).toEqual([]);
      });
    });

    describe("processed updates", () => {
      it("claims a key the first time only", async () => {
        // Act
        const first = await storage.processedUpdates.claim("callback:1", 60);
        const second = await storage.processedUpdates.claim("callback:1", 60);
        const other = await storage.processedUpdates.claim("callback:2", 60);

        // Assess
        expect([first, second, other]).toEqual([true, false, true]);
      });

      it("lets a key be claimed again once its TTL has passed, not before", async () => {
        // Prepare
        const clock = subject.clock;
        const ttl = clock ? 60 : 1;
        await storage.processedUpdates.claim("inline:1", ttl);

        // Act
        if (clock) clock.advance((ttl - 1) * 1000);
        const beforeExpiry = await storage.processedUpdates.claim("inline:1", ttl);
        if (clock) clock.advance(2000);
        else await new Promise((resolve) => setTimeout(resolve, 2100));
        const afterExpiry = await storage.processedUpdates.claim("inline:1", ttl);
        const rightAfterReclaim = await storage.processedUpdates.claim("inline:1", ttl);

        // Assess
        expect(beforeExpiry).toBe(false);
        expect(afterExpiry).toBe(true);
        expect(rightAfterReclaim).toBe(false);
      });
    });

    describe("forgetting users and blocked users (privacy)", () => {
      it("deletes a chat's state, and deleting it again is a no-op; savedAt tells when it was last saved", async () => {
        // Prepare
        subject.clock?.set("2025-03-01T10:00:00.000Z");
        await storage.chats.save(1, { recentUpdateIds: [1] }, 0);
        await storage.chats.save(2, { recentUpdateIds: [1] }, 0);

        // Act
        const savedAt = await storage.chats.savedAt(1);
        await storage.chats.delete(1);
        await storage.chats.delete(1);

        // Assess
        if (subject.clock) expect(savedAt).toBe("2025-03-01T10:00:00.000Z");
        else expect(savedAt).toEqual(expect.any(String));
        expect(await storage.chats.load(1)).toBeUndefined();
        expect(await storage.chats.savedAt(1)).toBeUndefined();
        expect(await storage.chats.load(2)).toBeDefined();
        expect(await storage.chats.save(1, { recentUpdateIds: [9] }, 0)).toBe(1); // starts over at version 1
      });

      it("forgets a profile and the user's submissions only, idempotently, and the indexes with them", async () => {
        // Prepare
        await storage.users.createIfMissing(aProfile(7, { subscribed: true, tipHour: 8 }));
        await storage.users.createIfMissing(aProfile(8, { subscribed: true, tipHour: 8 }));
        await storage.answers.save(aSubmission({ userId: 7, runId: "a" }));
        await storage.answers.save(aSubmission({ userId: 7, questionnaireId: "feedback", runId: "b" }));
        await storage.answers.save(aSubmission({ userId: 8, runId: "c" }));

        // Act
        await storage.users.forgetUser(7);
        await storage.answers.forgetUser(7);
        await storage.users.forgetUser(7);
        await storage.answers.forgetUser(7);

        // Assess
        expect(await storage.users.get(7)).toBeUndefined();
        expect(await storage.answers.list(7)).toEqual([]);
        expect(await dueUserIds(storage, 8)).toEqual([8]);
        const { userIds } = await allPages((o) => storage.users.listAudience(7 % audienceShards, o), 10);
        expect(userIds).not.toContain(7);
        expect((await storage.answers.list(8)).map((s) => s.runId)).toEqual(["c"]);
      });

      it("stamps blockedAt when a user becomes blocked, keeps it while blocked, drops it when unblocked", async () => {
        // Prepare
        const clock = subject.clock;
        clock?.set("2025-03-01T10:00:00.000Z");
        await storage.users.createIfMissing(aProfile(21));

        // Act
        const blocked = await storage.users.update(21, { blocked: true, subscribed: false });
        clock?.set("2025-03-05T10:00:00.000Z");
        const stillBlocked = await storage.users.update(21, { blocked: true, language: "vi" });
        const unblocked = await storage.users.update(21, { blocked: false });

        // Assess
        expect(blocked.blockedAt).toBe(blocked.updatedAt);
        expect(stillBlocked.blockedAt).toBe(blocked.blockedAt);
        expect(unblocked.blockedAt).toBeUndefined();
        expect((await storage.users.get(21))?.blockedAt).toBeUndefined();
      });

      it("lists the users blocked on a day (UTC) and still blocked, paged, from the sparse blocked index", async () => {
        // Prepare
        const clock = subject.clock;
        if (!clock) return; // the days come from the clock
        clock.set("2025-03-01T23:30:00.000Z");
        for (const userId of [31, 32, 33, 34]) await storage.users.createIfMissing(aProfile(userId));
        for (const userId of [31, 32, 33]) await storage.users.update(userId, { blocked: true });
        clock.set("2025-03-02T00:30:00.000Z");
        await storage.users.update(34, { blocked: true });
        await storage.users.update(33, { blocked: false });
        await storage.users.createIfMissing(
          aProfile(35, { blocked: true, updatedAt: "2025-03-01T08:00:00.000Z" }),
        );

        // Act
        const march1 = await allPages((o) => storage.users.listBlockedOn("2025-03-01", o), 2);
        const march2 = await allPages((o) => storage.users.listBlockedOn("2025-03-02", o), 2);

        // Assess
        expect(sorted(march1.userIds)).toEqual([31, 32, 35]);
        expect(march1.pages).toBeGreaterThanOrEqual(2);
        expect(march2.userIds).toEqual([34]);
        expect((await storage.users.get(35))?.blockedAt).toBe("2025-03-01T08:00:00.000Z");
        await expect(storage.users.listBlockedOn("1 March")).rejects.toBeInstanceOf(
          InvalidStorageArgumentError,
        );
      });
    });

    describe("failures", () => {
      it("throws StorageError when the backend fails, never returns an empty result", async () => {
        // Prepare
        await storage.chats.save(1, { recentUpdateIds: [] }, 0);
        await subject.breakBackend();

        // Act + Assess
        await expect(storage.chats.load(1)).rejects.toBeInstanceOf(StorageError);
        await expect(storage.chats.save(1, { recentUpdateIds: [] }, 1)).rejects.toBeInstanceOf(StorageError);
        await expect(storage.users.get(1)).rejects.toBeInstanceOf(StorageError);
        await expect(storage.users.listAudience(1)).rejects.toBeInstanceOf(StorageError);
        await expect(storage.answers.list(1)).rejects.toBeInstanceOf(StorageError);
        await expect(storage.processedUpdates.claim("k", 60)).rejects.toBeInstanceOf(StorageError);
        await expect(storage.chats.load(1)).rejects.toHaveProperty("cause");
      });
    });
  });
}
