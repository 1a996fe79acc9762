/**
 * The broadcast store contract (bot/broadcast/store/port.ts), run against each adapter (memory, dynalite,
 * DynamoDB Local) so they cannot drift apart: every write the worker relies on being conditional is, and the
 * recipients follow the leased-claim contract (tests/leases/contract.ts).
 */
import type { BroadcastRecord, BroadcastStore } from "../../bot/broadcast/store/port";
import { audienceShards } from "../../contracts/table";
import { describeLeasedClaimsContract } from "../leases/contract";

/** A fresh, empty store per test. */
export interface BroadcastStoreSubject {
  store: BroadcastStore;
  teardown(): Promise<void>;
}

function aBroadcast(id: string, overrides: Partial<BroadcastRecord> = {}): BroadcastRecord {
  return {
    id,
    status: "queued",
    request: { text: "Hello", requestedBy: 1, requestId: `request-${id}`, progressChatId: 1 },
    createdAt: "2025-01-01T00:00:00.000Z",
    ratePerSecond: 25,
    allowPaidBroadcast: false,
    ...overrides,
  };
}

/** Registers the contract's cases for one adapter. */
export function describeBroadcastStoreContract(
  name: string,
  make: () => Promise<BroadcastStoreSubject>,
): void {
  describeLeasedClaimsContract(`${name} broadcast recipients`, async () => {
    const { store, teardown } = await make();
    return {
      claims: store,
      key: (n: number) => ({ broadcastId: "b1", shard: n % audienceShards, userId: 1000 + n }),
      settledStatus: "cancelled",
      teardown,
    };
  });

  describe(`${name}: broadcast store`, () => {
    let subject: BroadcastStoreSubject;
    let store: BroadcastStore;
    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.teardown();
    });

    it("creates a broadcast once and returns the stored one to a second creator", async () => {
      expect(await store.create(aBroadcast("b1"))).toEqual({ record: aBroadcast("b1"), created: true });
      const again = await store.create(aBroadcast("b1", { ratePerSecond: 99 }));
      expect(again).toEqual({ record: aBroadcast("b1"), created: false });
      expect(await store.get("b1")).toEqual(aBroadcast("b1"));
      expect(await store.get("nope")).toBeUndefined();
    });

    it("changes the status only from the statuses given", async () => {
      await store.create(aBroadcast("b1"));
      expect(await store.transition("b1", ["running"], "done")).toBeUndefined();
      const running = await store.transition("b1", ["queued"], "running", {
        startedAt: "2025-01-01T00:01:00Z",
      });
      expect(running).toMatchObject({ status: "running", startedAt: "2025-01-01T00:01:00Z" });
      expect(await store.transition("nope", ["queued"], "running")).toBeUndefined();
    });

    it("stores the progress message once and spaces out running edits, always granting a final one", async () => {
      await store.create(aBroadcast("b1"));
      await store.markPlansEnqueued("b1");
      expect(await store.setProgressMessage({ broadcastId: "b1", messageId: 5, language: "vi" })).toBe(true);
      expect(await store.setProgressMessage({ broadcastId: "b1", messageId: 6, language: "en" })).toBe(false);
      expect(await store.get("b1")).toMatchObject({
        progressMessageId: 5,
        progressLanguage: "vi",
        plansEnqueued: true,
      });

      const edit = { broadcastId: "b1", minIntervalMs: 3000, final: false };
      expect(await store.claimProgressEdit({ ...edit, nowMs: 10_000 })).toBe(true);
      expect(await store.claimProgressEdit({ ...edit, nowMs: 12_000 })).toBe(false);
      expect(await store.claimProgressEdit({ ...edit, nowMs: 13_000 })).toBe(true);
      expect(await store.claimProgressEdit({ ...edit, nowMs: 13_001, final: true })).toBe(true);
      expect(await store.claimProgressEdit({ ...edit, nowMs: 99_000 })).toBe(false); // none after the final one
      expect(await store.claimProgressEdit({ ...edit, nowMs: 99_000, final: true })).toBe(true);
    });

    it("keeps the first plan of a part, and adds parts to the total once and in order", async () => {
      const plan = {
        shard: 3,
        part: 0,
        recipients: [{ userId: 7, chatId: 7 }],
        batchSize: 10,
        nextCursor: "c1",
      };
      expect(await store.putPlan("b1", plan)).toEqual(plan);
      expect(await store.putPlan("b1", { ...plan, recipients: [] })).toEqual(plan);
      expect(await store.getPlan({ broadcastId: "b1", shard: 3, part: 0 })).toEqual(plan);
      expect(await store.getPlan({ broadcastId: "b1", shard: 3, part: 1 })).toBeUndefined();

      const part = { broadcastId: "b1", shard: 3, recipients: 5, complete: false };
      expect(await store.recordPlanned({ ...part, part: 1 })).toBeUndefined(); // part 0 first
      expect(await store.recordPlanned({ ...part, part: 0 })).toMatchObject({ total: 5, plannedPart: 0 });
      expect(await store.recordPlanned({ ...part, part: 0 })).toBeUndefined(); // once
      expect(await store.recordPlanned({ ...part, part: 1, recipients: 2, complete: true })).toMatchObject({
        total: 7,
        plannedPart: 1,
        planComplete: true,
      });
    });

    it("counts a batch once, and reads every shard's counters with zeros for untouched shards", async () => {
      const batch = {
        broadcastId: "b1",
        shard: 2,
        batchKey: "0.0",
        counts: { sent: 3, blocked: 1, failed: 0 },
      };
      expect(await store.countBatch(batch)).toMatchObject({
        sent: 3,
        blocked: 1,
        failed: 0,
        countedBatches: 1,
      });
      expect(await store.countBatch(batch)).toBeUndefined();
      await store.countBatch({ ...batch, batchKey: "0.1", counts: { sent: 1, blocked: 0, failed: 2 } });

      const all = await store.counters("b1");
      expect(all).toHaveLength(audienceShards);
      expect(all[2]).toEqual({
        shard: 2,
        total: 0,
        sent: 4,
        blocked: 1,
        failed: 2,
        planComplete: false,
        countedBatches: 2,
      });
      expect(all[0]).toEqual({
        shard: 0,
        total: 0,
        sent: 0,
        blocked: 0,
        failed: 0,
        planComplete: false,
        countedBatches: 0,
      });
      expect(await store.shardCounters("b1", 2)).toEqual(all[2]);
    });

    it("reads a batch's recipients in one go, with their outcomes and the holder of a live claim", async () => {
      const key = (userId: number) => ({ broadcastId: "b1", shard: 4, userId });
      const lease = { owner: "w1", leaseUntil: 2_000_000, nowMs: 1_000_000 };
      await store.claim(key(10), lease);
      await store.claim(key(11), lease);
      await store.finish(key(11), "w1", {
        status: "blocked",
        fields: { detail: "Forbidden: bot was blocked" },
      });
      await store.claim({ ...key(12), shard: 5 }, lease); // another shard

      const states = await store.recipients("b1", 4, [10, 11, 12, 13]);
      expect([...states.keys()].sort()).toEqual([10, 11]);
      expect(states.get(10)).toMatchObject({
        userId: 10,
        status: "sending",
        owner: "w1",
        leaseUntil: 2_000_000,
      });
      expect(states.get(11)).toMatchObject({
        userId: 11,
        status: "blocked",
        detail: "Forbidden: bot was blocked",
      });
      expect((await store.state(key(11)))?.fields).toEqual({ detail: "Forbidden: bot was blocked" });
    });

    it("forgets one user (privacy): their recipient items in recent broadcasts and their place in the plans", async () => {
      // The recipient's shard is its audience shard (userId % 16), as the planner cuts them.
      const lease = { owner: "w1", leaseUntil: Date.now() + 60_000, nowMs: Date.now() };
      const recent = new Date().toISOString();
      for (const id of ["p1", "p2"]) {
        await store.create(aBroadcast(id, { createdAt: recent }));
        await store.putPlan(id, {
          shard: 7,
          part: 0,
          recipients: [
            { userId: 23, chatId: 23 },
            { userId: 39, chatId: 39 },
          ],
          batchSize: 10,
        });
        for (const userId of [23, 39]) {
          await store.claim({ broadcastId: id, shard: 7, userId }, lease);
          await store.finish({ broadcastId: id, shard: 7, userId }, "w1", { status: "delivered" });
        }
      }

      await store.forgetUser(23);
      await store.forgetUser(23);

      for (const id of ["p1", "p2"]) {
        expect(await store.state({ broadcastId: id, shard: 7, userId: 23 })).toBeUndefined();
        expect((await store.state({ broadcastId: id, shard: 7, userId: 39 }))?.status).toBe("delivered");
        expect((await store.getPlan({ broadcastId: id, shard: 7, part: 0 }))?.recipients).toEqual([
          { userId: 39, chatId: 39 },
        ]);
      }
      expect((await store.recipients("p1", 7, [23, 39])).size).toBe(1);
    });
  });
}
