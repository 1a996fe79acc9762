/**
 * The leased-claim contract (bot/leases/port.ts): what every store whose items are delivered exactly once
 * (broadcast recipients, tip days) must do, on every backend. The broadcast and tip store contracts run it.
 */
import type { LeasedClaims } from "../../bot/leases/port";

/** A fresh claims port and a way to name distinct items. */
export interface LeasedClaimsSubject<Key, Status extends string> {
  claims: LeasedClaims<Key, Status>;
  /** A key of item `n` (distinct `n`, distinct items). */
  key(n: number): Key;
  /** A final status of this kind of item other than `delivered` that `settle` may set. */
  settledStatus: Status;
  teardown(): Promise<void>;
}

const now = 1_700_000_000_000;
const lease = (owner: string, leaseUntil = now + 60_000, nowMs = now) => ({ owner, leaseUntil, nowMs });

/** Registers the contract's cases for one port on one backend. */
export function describeLeasedClaimsContract<Key, Status extends string>(
  name: string,
  make: () => Promise<LeasedClaimsSubject<Key, Status>>,
): void {
  describe(`${name}: leased claims`, () => {
    let subject: LeasedClaimsSubject<Key, Status>;
    beforeEach(async () => {
      subject = await make();
    });
    afterEach(async () => {
      await subject.teardown();
    });
    const delivered = "delivered" as Status;

    it("lets one claimant hold an item and refuses the others while the lease runs", async () => {
      const { claims, key } = subject;
      expect(await claims.claim(key(1), lease("a"))).toBe(true);
      expect(await claims.claim(key(1), lease("b"))).toBe(false);
      expect(await claims.claim(key(1), lease("a"))).toBe(true); // its holder's retry
      expect(await claims.claim(key(2), lease("b"))).toBe(true);
      expect(await claims.state(key(1))).toMatchObject({
        status: "sending",
        owner: "a",
        leaseUntil: now + 60_000,
      });
    });

    it("lets another claimant take over once the lease ended", async () => {
      const { claims, key } = subject;
      await claims.claim(key(1), lease("a", now + 1000));
      expect(await claims.claim(key(1), lease("b", now + 70_000, now + 1000))).toBe(false);
      expect(await claims.claim(key(1), lease("b", now + 70_000, now + 1001))).toBe(true);
      expect(await claims.state(key(1))).toMatchObject({ status: "sending", owner: "b" });
    });

    it("records the outcome only for the holder, with its fields, and never lets it be claimed again", async () => {
      const { claims, key } = subject;
      await claims.claim(key(1), lease("a"));
      expect(await claims.finish(key(1), "b", { status: delivered })).toBe(false);
      expect(
        await claims.finish(key(1), "a", { status: delivered, fields: { note: "ok", none: undefined } }),
      ).toBe(true);
      // Recording the same outcome again (a retry) is done; another outcome is refused.
      expect(await claims.finish(key(1), "a", { status: delivered })).toBe(true);
      expect(await claims.finish(key(1), "a", { status: subject.settledStatus })).toBe(false);
      expect(await claims.claim(key(1), lease("c", now + 1e9, now + 1e8))).toBe(false);
      const state = await claims.state(key(1));
      expect(state?.status).toBe("delivered");
      expect(state?.leaseUntil).toBeUndefined();
    });

    it("frees a released claim for the next claimant, but only when its holder releases it", async () => {
      const { claims, key } = subject;
      await claims.claim(key(1), lease("a"));
      await claims.release(key(1), "b");
      expect(await claims.claim(key(1), lease("b"))).toBe(false);
      await claims.release(key(1), "a");
      expect((await claims.state(key(1)))?.status).toBe("released");
      expect(await claims.claim(key(1), lease("b"))).toBe(true);
    });

    it("settles an unheld item without a send, and leaves a held or final one alone", async () => {
      const { claims, key, settledStatus } = subject;
      expect(await claims.settle(key(1), settledStatus, now)).toBe(true);
      expect((await claims.state(key(1)))?.status).toBe(settledStatus);
      expect(await claims.claim(key(1), lease("a"))).toBe(false);

      await claims.claim(key(2), lease("a"));
      expect(await claims.settle(key(2), settledStatus, now)).toBe(false);
      expect(await claims.settle(key(2), settledStatus, now + 60_001)).toBe(true); // the lease ended
    });

    it("knows nothing of an item never claimed", async () => {
      expect(await subject.claims.state(subject.key(99))).toBeUndefined();
    });
  });
}
