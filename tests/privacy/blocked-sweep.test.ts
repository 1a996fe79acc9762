/**
 * Blocked users end to end on dynalite, through the Telegram emulator over HTTP and the real workers: Telegram
 * answers 403 to a broadcast, the user is marked blocked with the time, later broadcasts and the daily tips
 * skip them, and the hourly recommendations schedule forgets them `forgetBlockedAfterDays` (180) later, even
 * when EventBridge delivers the event twice. A full table Scan then finds nothing of them that DynamoDB's TTL
 * would not remove anyway (dynalite has no TTL: items past `expiresAt` are left out of the check).
 */
import { buildRecommendationsHandler, type RecommendationsHandler } from "../../bot/runtime/recommendations";
import { createServices } from "../../bot/runtime/services";
import { loadContent } from "../../content/load";
import { type Rig, startRig } from "../broadcast/rig";
import { mentions, scanAll } from "./forget-scan";

const day = 24 * 3600 * 1000;
let rig: Rig;
let schedule: RecommendationsHandler;

beforeAll(async () => {
  rig = await startRig({ ratePerSecond: 30 });
  schedule = await buildRecommendationsHandler(
    createServices(rig.environment, { jobs: rig.queue, clock: rig.clock, content: loadContent() }),
  );
});
afterAll(async () => {
  await rig.stop();
});

async function fire(at: Date) {
  rig.clock.set(at);
  const summary = await schedule({ source: "test", scheduledTime: at.toISOString() });
  await rig.queue.idle();
  return summary;
}

/** Items that hold the user's id and that DynamoDB's TTL would not have removed by now. */
async function itemsOf(userId: number) {
  const nowSeconds = Math.floor(rig.clock.now().getTime() / 1000);
  return (await scanAll(rig.dynamo)).filter(
    (item) => mentions(item, userId) && !(typeof item.expiresAt === "number" && item.expiresAt < nowSeconds),
  );
}

describe("users who blocked the bot", () => {
  it("are marked on Telegram's 403, skipped by broadcasts and tips, and forgotten by the hourly schedule 180 days later", async () => {
    const start = new Date("2026-11-22T08:00:00.000Z");
    rig.clock.set(start);
    await rig.addUsers([401, 402, 403], { tipHour: 9, topics: ["lambda"], level: "beginner" });
    rig.emulator.blockUser(402); // Telegram answers 403 from now on; the bot is not told

    const first = await rig.post({ text: "Week 1 is live" });
    await rig.queue.idle();
    await rig.users.update(403, { blocked: true }); // blocked, still subscribed: the block alone must skip them
    const second = await rig.post({ text: "Week 2 is live" });
    await rig.queue.idle();
    const tips = await fire(new Date("2026-11-22T09:00:00.000Z"));

    expect(await rig.users.get(402)).toMatchObject({
      blocked: true,
      subscribed: false,
      blockedAt: start.toISOString(),
    });
    expect(await rig.progress(first.body.id)).toMatchObject({ total: 3, sent: 2, blocked: 1 });
    expect(await rig.progress(second.body.id)).toMatchObject({ status: "done", total: 1, sent: 1 });
    expect(tips).toMatchObject({ due: 1, blockedSweep: { forgotten: 0 } });
    expect(rig.received([401, 402, 403])).toEqual({ 401: 3, 402: 0, 403: 1 });

    const early = await fire(new Date(start.getTime() + 179 * day));
    expect(early.blockedSweep).toMatchObject({ forgotten: 0, unblocked: 0 });
    expect((await itemsOf(402)).length).toBeGreaterThan(0);

    const due = new Date(start.getTime() + 180 * day + 2 * 3600 * 1000);
    const [one, other] = await Promise.all([fire(due), fire(due)]);
    const later = await fire(new Date(due.getTime() + 3600 * 1000));

    expect((one.blockedSweep?.forgotten ?? 0) + (other.blockedSweep?.forgotten ?? 0)).toBeGreaterThanOrEqual(
      2,
    );
    expect(later.blockedSweep).toMatchObject({ forgotten: 0, unblocked: 0 });
    expect(await itemsOf(402)).toEqual([]);
    expect(await itemsOf(403)).toEqual([]);
    expect(await rig.users.get(401)).toMatchObject({ userId: 401, blocked: false });
  });
});
