/**
 * The inbox store contract (bot/inbox/store/port.ts), run on every adapter (memory, dynalite, DynamoDB Local):
 * repeated texts are one entry with an atomic count, listings are most frequent first and paged, labels move an
 * entry between statuses, entries expire after the retention, and forgetting a user takes exactly their share out.
 */
import type { InboxContribution, InboxStore } from "../../bot/inbox/store/port";
import { InvalidStorageArgumentError } from "../../bot/storage/errors";
import type { FakeClock } from "../helpers/clock";

/** A fresh, empty store per test with a retention of 90 days, on `clock`. */
export interface InboxStoreSubject {
  inbox: InboxStore;
  clock: FakeClock;
  /** Everything stored that still names `userId` (attribute names or values); empty once forgotten. */
  traces(userId: number): Promise<string[]>;
  teardown(): Promise<void>;
}

const day = 24 * 3600 * 1000;

/** Registers the contract's cases for one adapter. */
export function describeInboxStoreContract(name: string, make: () => Promise<InboxStoreSubject>): void {
  describe(`${name}: inbox store`, () => {
    let subject: InboxStoreSubject;
    beforeEach(async () => {
      subject = await make();
    });
    afterEach(async () => {
      await subject.teardown();
    });

    const sent = (text: string, changes: Partial<InboxContribution> = {}): InboxContribution => ({
      text,
      language: "en",
      tier: "nlp",
      candidates: [
        { intent: "qa.lambda-memory", confidence: 0.41234 },
        { intent: "qa.lambda-timeout", confidence: 0.2 },
        { intent: "qa.s3-what", confidence: 0.1 },
        { intent: "qa.iam-role", confidence: 0.05 },
      ],
      origin: "declined",
      userId: 7,
      at: subject.clock.now(),
      ...changes,
    });

    it("keeps repeated texts (case, spaces, full-width letters, a closing ?) as one entry with a count, the first text shown", async () => {
      const { inbox, clock } = subject;
      const first = clock.now().toISOString();
      const id = await inbox.record(sent("How big can a Lambda get?"));
      clock.advance(60_000);
      expect(
        await inbox.record(sent("  how big can a   lambda get?", { userId: 8, origin: "noneOfThese" })),
      ).toBe(id);
      clock.advance(60_000);
      expect(
        await inbox.record(
          sent("ＨＯＷ big can a lambda get", {
            origin: "thumbsDown",
            answeredIntent: "qa.lambda-memory",
            candidates: [{ intent: "qa.lambda-memory", confidence: 0.9 }],
            tier: "rules",
          }),
        ),
      ).toBe(id);
      const entry = await inbox.get(id);
      expect(entry).toEqual({
        id,
        text: "How big can a Lambda get?",
        normalized: "how big can a lambda get",
        language: "en",
        tier: "rules",
        candidates: [{ intent: "qa.lambda-memory", confidence: 0.9 }],
        firstSeen: first,
        lastSeen: clock.now().toISOString(),
        count: 3,
        origins: ["declined", "noneOfThese", "thumbsDown"],
        answeredIntent: "qa.lambda-memory",
        status: "new",
        expiresAt: Math.floor(clock.now().getTime() / 1000) + 90 * 24 * 3600,
      });
    });

    it("keeps the top 3 intents, scores rounded, and one entry per language", async () => {
      const { inbox } = subject;
      const en = await inbox.record(sent("lambda"));
      const vi = await inbox.record(sent("lambda", { language: "vi" }));
      expect(vi).not.toBe(en);
      expect((await inbox.get(en))?.candidates).toEqual([
        { intent: "qa.lambda-memory", confidence: 0.412 },
        { intent: "qa.lambda-timeout", confidence: 0.2 },
        { intent: "qa.s3-what", confidence: 0.1 },
      ]);
      expect((await inbox.list()).entries.map((entry) => entry.language).sort()).toEqual(["en", "vi"]);
    });

    it("counts concurrent contributions atomically: none is lost", async () => {
      const { inbox } = subject;
      const ids = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          inbox.record(sent("why is my bot slow", { userId: 100 + (i % 5) })),
        ),
      );
      expect(new Set(ids).size).toBe(1);
      expect((await inbox.get(ids[0] as string))?.count).toBe(25);
    });

    it("lists most frequent first, then most recent, in pages that cover every entry once", async () => {
      const { inbox, clock } = subject;
      const texts = ["alpha", "bravo", "charlie", "delta", "echo"];
      const counts = [1, 3, 2, 3, 1];
      for (const [i, text] of texts.entries()) {
        for (let n = 0; n < (counts[i] as number); n++) await inbox.record(sent(text));
        clock.advance(1000);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await inbox.list({ limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.entries.length).toBeLessThanOrEqual(2);
        seen.push(...page.entries.map((entry) => entry.text));
        cursor = page.cursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual(["delta", "bravo", "charlie", "echo", "alpha"]);
      expect(pages).toBe(3);
      expect((await inbox.list({ status: "dismissed" })).entries).toEqual([]);
    });

    it("rejects a bad page size, an unknown status and a cursor of another listing", async () => {
      const { inbox } = subject;
      for (const text of ["a", "b", "c"]) await inbox.record(sent(text));
      await expect(inbox.list({ limit: 0 })).rejects.toThrow(InvalidStorageArgumentError);
      await expect(inbox.list({ limit: 101 })).rejects.toThrow(InvalidStorageArgumentError);
      // biome-ignore lint/suspicious/noExplicitAny: a status no caller may pass.
      await expect(inbox.list({ status: "old" as any })).rejects.toThrow(/does not exist/);
      const { cursor } = await inbox.list({ limit: 1 });
      await expect(inbox.list({ status: "labelled", cursor: cursor as string })).rejects.toThrow(
        InvalidStorageArgumentError,
      );
      await expect(inbox.list({ cursor: "not-a-cursor" })).rejects.toThrow(InvalidStorageArgumentError);
    });

    it("stores labels: an intent, out of scope, dismissed, each moving the entry to that listing", async () => {
      const { inbox, clock } = subject;
      const id = await inbox.record(sent("how much ram does a function get"));
      const other = await inbox.record(sent("best pizza in town"));
      clock.advance(day);
      const labelled = await inbox.label(id, { status: "labelled", intent: "qa.lambda-memory" }, clock.now());
      expect(labelled).toMatchObject({
        id,
        status: "labelled",
        label: "qa.lambda-memory",
        labelledAt: clock.now().toISOString(),
        expiresAt: Math.floor(clock.now().getTime() / 1000) + 90 * 24 * 3600,
      });
      await inbox.label(other, { status: "outOfScope" }, clock.now());
      expect((await inbox.list()).entries).toEqual([]);
      expect((await inbox.list({ status: "labelled" })).entries.map((entry) => entry.id)).toEqual([id]);
      expect((await inbox.list({ status: "outOfScope" })).entries.map((entry) => entry.id)).toEqual([other]);
      // Relabelled: the intent goes with the old status.
      const dismissed = await inbox.label(id, { status: "dismissed" }, clock.now());
      expect(dismissed?.status).toBe("dismissed");
      expect(dismissed).not.toHaveProperty("label");
      // A new occurrence counts, and keeps the reviewer's decision.
      await inbox.record(sent("How much RAM does a function get"));
      expect(await inbox.get(id)).toMatchObject({ count: 2, status: "dismissed" });
      expect(await inbox.label("AAAAAAAAAAAA", { status: "dismissed" }, clock.now())).toBeUndefined();
    });

    it("forgets entries after the retention days (last sighting or label), before TTL removes them", async () => {
      const { inbox, clock } = subject;
      const old = await inbox.record(sent("old question"));
      clock.advance(60 * day);
      const fresh = await inbox.record(sent("fresh question"));
      await inbox.record(sent("old question, again? no: another"));
      clock.advance(31 * day);
      expect(await inbox.get(old)).toBeUndefined();
      expect(await inbox.label(old, { status: "dismissed" }, clock.now())).toBeUndefined();
      expect((await inbox.list()).entries.map((entry) => entry.id)).toContain(fresh);
      expect((await inbox.list()).entries.map((entry) => entry.id)).not.toContain(old);
    });

    it("forgets a user: their count comes off, an entry only they sent goes, the others stay", async () => {
      const { inbox, traces } = subject;
      const shared = await inbox.record(sent("Where are my logs?", { userId: 41 }));
      await inbox.record(sent("where are my logs?", { userId: 41 }));
      await inbox.record(sent("where are my logs?", { userId: 42 }));
      const own = await inbox.record(sent("my name is Ann and my card is 1234", { userId: 41 }));
      const others = await inbox.record(sent("unrelated", { userId: 43 }));
      expect(await traces(41)).not.toEqual([]);

      await inbox.forgetUser(41);
      expect(await inbox.get(own)).toBeUndefined();
      expect(await inbox.get(shared)).toMatchObject({ count: 1, text: "where are my logs" });
      expect(await inbox.get(others)).toMatchObject({ count: 1, text: "unrelated" });
      expect(await traces(41)).toEqual([]);
      expect(await traces(42)).not.toEqual([]);

      // Forgetting again changes nothing (a retried /forget).
      await inbox.forgetUser(41);
      expect(await inbox.get(shared)).toMatchObject({ count: 1 });
      await inbox.forgetUser(42);
      expect(await inbox.get(shared)).toBeUndefined();
      expect((await inbox.list()).entries.map((entry) => entry.id)).toEqual([others]);
    });
  });
}
