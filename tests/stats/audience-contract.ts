/**
 * What every AudienceCounter must count, whatever the storage: profiles (blocked ones included) and the
 * subscribers the tip run serves (subscribed, not blocked, with a tip hour), across shards, hours and pages,
 * and after profiles change. Run on the in-memory storage, dynalite and DynamoDB Local.
 */
import type { AudienceCounter } from "../../bot/stats/port";
import type { UserProfile, UserStore } from "../../bot/storage/port";

/** A counter over a user store it reads, and the teardown. */
export interface AudienceSetup {
  counter: AudienceCounter;
  users: UserStore;
  teardown(): Promise<void>;
}

function profile(userId: number, changes: Partial<UserProfile> = {}): UserProfile {
  const now = "2026-11-01T00:00:00.000Z";
  return {
    userId,
    chatId: userId,
    language: "en",
    createdAt: now,
    updatedAt: now,
    subscribed: false,
    blocked: false,
    ...changes,
  };
}

/** The contract suite; `setup` gives a counter that pages with at most 3 items per page. */
export function describeAudienceCounterContract(name: string, setup: () => Promise<AudienceSetup>): void {
  describe(`audience counts: ${name}`, () => {
    let subject: AudienceSetup;
    beforeEach(async () => {
      subject = await setup();
    });
    afterEach(async () => {
      await subject.teardown();
    });

    it("counts nothing in an empty table", async () => {
      expect(await subject.counter.count()).toEqual({ users: 0, subscribers: 0 });
    });

    it("counts every profile, and as subscribers only those due tips, over shards, hours and pages", async () => {
      // 40 users over every audience shard; subscribers spread over 3 hours, 7 of them in one hour (pages of 3).
      for (let userId = 1; userId <= 40; userId++) {
        const subscribed = userId <= 12;
        await subject.users.createIfMissing(
          profile(
            userId,
            subscribed ? { subscribed: true, tipHour: userId <= 7 ? 8 : 20 + (userId % 3) } : {},
          ),
        );
      }
      await subject.users.createIfMissing(profile(41, { subscribed: true, blocked: true, tipHour: 8 }));
      await subject.users.createIfMissing(profile(42, { blocked: true }));
      expect(await subject.counter.count()).toEqual({ users: 42, subscribers: 12 });

      await subject.users.update(3, { subscribed: false });
      await subject.users.update(5, { blocked: true });
      await subject.users.update(30, { subscribed: true, tipHour: 6 });
      expect(await subject.counter.count()).toEqual({ users: 42, subscribers: 11 });
    });
  });
}
