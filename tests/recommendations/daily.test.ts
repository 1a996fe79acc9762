/**
 * Daily recommendations end to end: the scheduled handler (time zone Asia/Ho_Chi_Minh) queues the subscribers
 * due at the hour, the broadcast worker sends each their tip through the Telegram emulator over HTTP, claims
 * live in dynalite. Exactly one tip per user and day, even when the schedule fires twice or a worker crashes;
 * the buttons under a tip work through the real bot.
 */

import type { Update } from "grammy/types";
import type { Job } from "../../bot/broadcast/jobs";
import { MemoryBroadcastQueue } from "../../bot/broadcast/memory-queue";
import { botConfigDefaults } from "../../bot/context";
import { createBot } from "../../bot/create-bot";
import { createMemoryLogger } from "../../bot/observability/logger";
import { pickTip } from "../../bot/recommendations/picker";
import { DynamoTipStore } from "../../bot/recommendations/store/dynamodb";
import { buildRecommendationsHandler, type RecommendationsHandler } from "../../bot/runtime/recommendations";
import { createServices } from "../../bot/runtime/services";
import { createDynamoStorage } from "../../bot/storage/dynamodb";
import { loadContent } from "../../content/load";
import { env } from "../../contracts/runtime";
import { RuleClassifier } from "../../nlp/rules";
import { botToken, notExactly, type Rig, startRig } from "../broadcast/rig";

const timeZone = "Asia/Ho_Chi_Minh"; // UTC+7: 09:00 there is 02:00 UTC
const content = loadContent();

let rig: Rig;
let schedule: RecommendationsHandler;
let crash: ((job: Job, userId: number) => void) | undefined;

beforeAll(async () => {
  rig = await startRig({ ratePerSecond: 30, faults: { afterRecord: (job, userId) => crash?.(job, userId) } });
  schedule = await buildRecommendationsHandler(
    createServices(
      { ...rig.environment, [env.scheduleTimezone]: timeZone },
      { jobs: rig.queue, clock: rig.clock },
    ),
  );
});
afterAll(async () => {
  await rig.stop();
});
afterEach(() => {
  crash = undefined;
});

/** Fires the schedule for `hour` local time on 2026-11-(22 + day) and waits until every tip went out. */
async function fire(hour: number, day = 0) {
  const scheduledTime = new Date(Date.UTC(2026, 10, 22 + day, hour - 7)).toISOString();
  rig.clock.set(scheduledTime);
  const summary = await schedule({ source: "test", scheduledTime });
  await rig.queue.idle();
  return summary;
}

/** The tips a user received, oldest first: tip id (from the "more like this" button) and text. */
function tipsOf(userId: number) {
  return rig.emulator
    .chatHistory(userId)
    .filter((m) => m.sender === "bot")
    .map((m) => ({
      messageId: m.messageId,
      text: m.text,
      tipId: JSON.stringify(m.replyMarkup ?? {}).match(/"tip:more:([^"]+)"/)?.[1],
      buttons: JSON.stringify(m.replyMarkup ?? {}),
    }))
    .filter((m) => m.tipId !== undefined);
}

function tipById(id: string | undefined) {
  const tip = content.recommendations.find((candidate) => candidate.id === id);
  if (!tip) throw new Error(`no tip ${id}`);
  return tip;
}

describe("the daily run", () => {
  it("sends each due subscriber one tip that fits their profile, once, though the schedule fires twice", async () => {
    await rig.addUsers([101], { tipHour: 9, topics: ["dynamodb"], level: "beginner", language: "en" });
    await rig.addUsers([102], { tipHour: 9, topics: ["lambda"], level: "advanced", language: "vi" });
    await rig.addUsers([103], { tipHour: 10, topics: ["lambda"] });
    await rig.addUsers([104], { tipHour: 9, subscribed: false });
    await rig.addUsers([105], { tipHour: 9, topics: ["iam"] });
    rig.emulator.blockUser(105, { notifyBot: false });

    const [first, concurrent] = await Promise.all([fire(9), fire(9)]);
    const late = await fire(9);

    expect(first.due + concurrent.due).toBeGreaterThanOrEqual(3);
    expect(late.alreadyPlanned).toBe(true);
    expect(rig.received([101, 102, 103, 104, 105])).toEqual({ 101: 1, 102: 1, 103: 0, 104: 0, 105: 0 });
    const [en] = tipsOf(101);
    expect(en?.text.startsWith("💡 Tip of the day")).toBe(true);
    expect(tipById(en?.tipId)).toMatchObject({ topics: expect.arrayContaining(["dynamodb"]) });
    expect(["beginner", "intermediate"]).toContain(tipById(en?.tipId).level);
    expect(en?.buttons).toContain('"unsub"');
    const [vi] = tipsOf(102);
    expect(vi?.text.startsWith("💡 Mẹo hôm nay")).toBe(true);
    expect(tipById(vi?.tipId).topics).toContain("lambda");
    expect(await rig.users.get(105)).toMatchObject({ blocked: true, subscribed: false });
  });

  it("gives a tip not received before every day, and starts over from the oldest once all were used", async () => {
    await rig.addUsers([201], { tipHour: 7, topics: ["eventbridge"], level: "beginner" });
    const fitting = content.recommendations.filter(
      (tip) => tip.topics.includes("eventbridge") && ["beginner", "intermediate"].includes(tip.level),
    );
    for (let day = 0; day <= fitting.length; day++) await fire(7, day);

    const ids = tipsOf(201).map((tip) => tip.tipId);
    expect(ids).toHaveLength(fitting.length + 1);
    expect(new Set(ids.slice(0, fitting.length))).toEqual(new Set(fitting.map((tip) => tip.id)));
    expect(ids.at(-1)).toBe(ids[0]);
  });

  it("re-delivers a tips batch whose worker crashed after some sends, without a second tip for anyone", async () => {
    const ids = [301, 302, 303, 304, 305, 306];
    await rig.addUsers(ids, { tipHour: 13, topics: ["cost"] });
    let recorded = 0;
    crash = () => {
      if (++recorded === 3) throw new Error("simulated worker crash after 3 tips");
    };
    await fire(13);
    expect(notExactly(rig.received(ids), 1)).toEqual({});
    expect(rig.queue.stats().redelivered).toBeGreaterThanOrEqual(1);
  });
});

describe("the buttons under a tip", () => {
  function bot() {
    const storage = createDynamoStorage({
      client: rig.dynamo.documentClient,
      tableName: rig.dynamo.tableName,
      clock: rig.clock,
    });
    const instance = createBot(
      {
        content,
        storage,
        classifiers: { rules: new RuleClassifier(content) },
        broadcasts: new MemoryBroadcastQueue(),
        config: { ...botConfigDefaults, defaultMode: "rules", adminUserIds: [] },
        clock: rig.clock,
        logger: createMemoryLogger(),
      },
      {
        token: botToken,
        botInfo: rig.emulator.botInfo,
        client: { apiRoot: rig.emulator.apiRoot },
        tipHistory: new DynamoTipStore({
          client: rig.dynamo.documentClient,
          tableName: rig.dynamo.tableName,
          clock: rig.clock,
        }),
      },
    );
    return (update: Update) => instance.handleUpdate(update);
  }

  it("'More like this' sends another tip of the same topic, which the next daily tip does not repeat", async () => {
    await rig.addUsers([401], { tipHour: 15, topics: ["iam"], level: "intermediate" });
    await fire(15);
    const [daily] = tipsOf(401);
    const handle = bot();
    await handle(rig.emulator.pressButton(401, daily?.messageId ?? 0, `tip:more:${daily?.tipId}`));

    const [, more] = tipsOf(401);
    expect(more?.tipId).toBeDefined();
    expect(more?.tipId).not.toBe(daily?.tipId);
    expect(tipById(more?.tipId).topics).toContain(tipById(daily?.tipId).topics[0]);

    await fire(15, 1);
    const [, , nextDay] = tipsOf(401);
    const expected = pickTip(
      content.recommendations,
      { topics: ["iam"], level: "intermediate" },
      [
        { tipId: daily?.tipId ?? "", at: "2026-11-22T08:00:00Z" },
        { tipId: more?.tipId ?? "", at: "2026-11-22T08:00:01Z" },
      ],
      { levels: content.settings.levels },
    );
    expect(nextDay?.tipId).toBe(expected?.id);
    expect([daily?.tipId, more?.tipId]).not.toContain(nextDay?.tipId);
  });

  it("'Unsubscribe' stops the daily tips from the next day on", async () => {
    await rig.addUsers([501], { tipHour: 17, topics: ["lambda"] });
    await fire(17);
    const [daily] = tipsOf(501);
    await bot()(rig.emulator.pressButton(501, daily?.messageId ?? 0, "unsub"));
    expect(await rig.users.get(501)).toMatchObject({ subscribed: false });

    await fire(17, 1);
    expect(tipsOf(501)).toHaveLength(1);
  });
});
