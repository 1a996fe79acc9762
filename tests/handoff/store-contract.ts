/**
 * The handoff store contract (bot/handoff/store/port.ts), run against each adapter (memory, dynalite,
 * DynamoDB Local): a thread is opened once, found by its id and by any message the bot posted for it, closed
 * by exactly one closer, and forgotten with everything that holds the user's id.
 */
import type { HandoffStore, HandoffThread } from "../../bot/handoff/store/port";

/** A fresh, empty store per test; `scanUserItems` lists every item of the table naming the user (DynamoDB). */
export interface HandoffStoreSubject {
  handoff: HandoffStore;
  /** Keys of every stored item that mentions the user id or the thread ids, when the adapter has a table. */
  leftovers?: (userId: number, threadIds: string[]) => Promise<string[]>;
  teardown(): Promise<void>;
}

const supportChatId = -100777;

/** A thread of `userId` opened at `openedAt`. */
export function threadOf(
  threadId: string,
  userId: number,
  openedAt = "2026-11-22T08:00:00.000Z",
): HandoffThread {
  return {
    threadId,
    userId,
    chatId: userId,
    supportChatId,
    firstName: "Lan",
    language: "vi",
    openedAt,
    until: new Date(Date.parse(openedAt) + 24 * 3600 * 1000).toISOString(),
    status: "open",
    supportMessageIds: [],
  };
}

/** Registers the contract's cases for one adapter. */
export function describeHandoffStoreContract(name: string, make: () => Promise<HandoffStoreSubject>): void {
  describe(`${name}: handoff store`, () => {
    let subject: HandoffStoreSubject;
    beforeEach(async () => {
      subject = await make();
    });
    afterEach(async () => {
      await subject.teardown();
    });

    it("opens a thread once: a second open of the same id keeps the first", async () => {
      const { handoff } = subject;
      await handoff.open(threadOf("a1", 42));
      await handoff.open({ ...threadOf("a1", 42), firstName: "Someone else" });
      expect(await handoff.get("a1")).toEqual(threadOf("a1", 42));
      expect(await handoff.get("zz9")).toBeUndefined();
    });

    it("finds the thread of every message posted for it, the first one as the root", async () => {
      const { handoff } = subject;
      await handoff.open(threadOf("b1", 42));
      await handoff.open(threadOf("b2", 43));
      await handoff.recordMessage("b1", 10, { root: true });
      await handoff.recordMessage("b1", 12);
      await handoff.recordMessage("b2", 11, { root: true });
      await handoff.recordMessage("gone1", 13);

      expect(await handoff.threadOfMessage(supportChatId, 10)).toBe("b1");
      expect(await handoff.threadOfMessage(supportChatId, 12)).toBe("b1");
      expect(await handoff.threadOfMessage(supportChatId, 11)).toBe("b2");
      expect(await handoff.threadOfMessage(supportChatId, 13)).toBeUndefined();
      expect(await handoff.threadOfMessage(-1, 10)).toBeUndefined();
      const b1 = await handoff.get("b1");
      expect(b1?.rootMessageId).toBe(10);
      expect(b1?.supportMessageIds).toEqual([10, 12]);
    });

    it("closes an open thread for exactly one closer, and its own retry", async () => {
      const { handoff } = subject;
      await handoff.open(threadOf("c1", 42));
      const staff = { by: "staff" as const, at: "2026-11-22T09:00:00.000Z", closeId: "k1" };
      const closed = await handoff.close("c1", staff);
      expect(closed).toMatchObject({ status: "closed", closedBy: "staff", closedAt: staff.at });
      expect(await handoff.close("c1", { by: "user", at: staff.at, closeId: "k2" })).toBeUndefined();
      // The same close again (a retried request whose first answer was lost) still reads as this close's.
      expect((await handoff.close("c1", staff))?.closedBy).toBe("staff");
      expect((await handoff.get("c1"))?.status).toBe("closed");
      expect(await handoff.close("nothing", staff)).toBeUndefined();
    });

    it("forgets a user's threads, their message index and pointers, and only theirs", async () => {
      const { handoff } = subject;
      await handoff.open(threadOf("d1", 42));
      await handoff.open(threadOf("d2", 42, "2026-11-23T08:00:00.000Z"));
      await handoff.open(threadOf("d3", 43));
      await handoff.recordMessage("d1", 20, { root: true });
      await handoff.recordMessage("d2", 21, { root: true });
      await handoff.recordMessage("d2", 22);
      await handoff.recordMessage("d3", 23, { root: true });

      await handoff.forgetUser(42);

      expect(await handoff.get("d1")).toBeUndefined();
      expect(await handoff.get("d2")).toBeUndefined();
      expect(await handoff.threadOfMessage(supportChatId, 21)).toBeUndefined();
      expect(await handoff.threadOfMessage(supportChatId, 22)).toBeUndefined();
      expect((await handoff.get("d3"))?.userId).toBe(43);
      expect(await handoff.threadOfMessage(supportChatId, 23)).toBe("d3");
      if (subject.leftovers) expect(await subject.leftovers(42, ["d1", "d2"])).toEqual([]);
      await handoff.forgetUser(42);
    });

    it("refuses thread ids that would break its keys", async () => {
      await expect(subject.handoff.get("a#b")).rejects.toThrow(/letters and digits/);
    });
  });
}
