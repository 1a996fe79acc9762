/**
 * The tip store contract (bot/recommendations/store/port.ts), run against each adapter (memory, dynalite,
 * DynamoDB Local): the day claims follow the leased-claim contract (tests/leases/contract.ts), the history
 * holds exactly the tips delivered, and a schedule slot is marked planned once.
 */
import type { TipStore } from "../../bot/recommendations/store/port";
import type { FakeClock } from "../helpers/clock";
import { describeLeasedClaimsContract } from "../leases/contract";

/** A fresh, empty store per test, on the clock it stamps outcomes with. */
export interface TipStoreSubject {
  tips: TipStore;
  clock: FakeClock;
  teardown(): Promise<void>;
}

/** Registers the contract's cases for one adapter. */
export function describeTipStoreContract(name: string, make: () => Promise<TipStoreSubject>): void {
  describeLeasedClaimsContract(`${name} tip days`, async () => {
    const { tips, teardown } = await make();
    return {
      claims: tips,
      key: (n: number) => ({ userId: 500 + (n % 3), date: `2025-01-${String(10 + n).padStart(2, "0")}` }),
      settledStatus: "skipped",
      teardown,
    };
  });

  describe(`${name}: tip store`, () => {
    let subject: TipStoreSubject;
    beforeEach(async () => {
      subject = await make();
    });
    afterEach(async () => {
      await subject.teardown();
    });
    const lease = { owner: "w1", leaseUntil: 2_000_000, nowMs: 1_000_000 };

    it("remembers the tips a user received, daily and extra, and not those that failed or were skipped", async () => {
      const { tips, clock } = subject;
      const day = (date: string) => ({ userId: 7, date });
      await tips.claim(day("2025-01-01"), lease);
      await tips.finish(day("2025-01-01"), "w1", { status: "delivered", fields: { tipId: "lambda-memory" } });
      await tips.claim(day("2025-01-02"), lease);
      await tips.finish(day("2025-01-02"), "w1", { status: "failed", fields: { tipId: "apigw-stages" } });
      await tips.claim(day("2025-01-03"), lease);
      await tips.finish(day("2025-01-03"), "w1", { status: "skipped" });
      await tips.claim({ userId: 8, date: "2025-01-01" }, lease);
      await tips.finish({ userId: 8, date: "2025-01-01" }, "w1", {
        status: "delivered",
        fields: { tipId: "x" },
      });
      await tips.recordExtra(7, "lambda-layers", new Date("2025-01-02T10:00:00.000Z"));

      const history = await tips.history(7);
      expect(history.map((tip) => tip.tipId).sort()).toEqual(["lambda-layers", "lambda-memory"]);
      expect(history.find((tip) => tip.tipId === "lambda-memory")?.at).toBe(clock.now().toISOString());
      expect((await tips.state(day("2025-01-01")))?.fields).toEqual({ tipId: "lambda-memory" });
      expect(await tips.history(9)).toEqual([]);
    });

    it("marks a schedule slot planned, that slot only", async () => {
      const { tips } = subject;
      expect(await tips.isPlanned({ date: "2025-01-01", hour: 9 })).toBe(false);
      await tips.markPlanned({ date: "2025-01-01", hour: 9 });
      expect(await tips.isPlanned({ date: "2025-01-01", hour: 9 })).toBe(true);
      expect(await tips.isPlanned({ date: "2025-01-01", hour: 10 })).toBe(false);
      expect(await tips.isPlanned({ date: "2025-01-02", hour: 9 })).toBe(false);
    });

    it("forgets one user's tip history, daily and extra, idempotently, and nobody else's", async () => {
      const { tips } = subject;
      for (const userId of [7, 8]) {
        await tips.claim({ userId, date: "2025-01-01" }, lease);
        await tips.finish({ userId, date: "2025-01-01" }, "w1", {
          status: "delivered",
          fields: { tipId: "a" },
        });
        await tips.recordExtra(userId, "b", new Date("2025-01-01T10:00:00.000Z"));
      }

      await tips.forgetUser(7);
      await tips.forgetUser(7);

      expect(await tips.history(7)).toEqual([]);
      expect(await tips.state({ userId: 7, date: "2025-01-01" })).toBeUndefined();
      expect((await tips.history(8)).map((tip) => tip.tipId).sort()).toEqual(["a", "b"]);
    });
  });
}
