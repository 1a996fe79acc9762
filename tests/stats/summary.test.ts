/**
 * The stats object (bot/stats/summary.ts) from metrics a fake clock stamps over several days, read back through
 * the EMF capture reader, and the table's counts from real profiles in the in-memory storage.
 */

import { createMetrics, type Metrics } from "../../bot/observability/metrics";
import { PagedAudienceCounter } from "../../bot/stats/audience";
import { collectStats } from "../../bot/stats/collect";
import { dayOf } from "../../bot/stats/days";
import { EmfMetricsReader } from "../../bot/stats/emf-reader";
import { statsQueries } from "../../bot/stats/summary";
import { createMemoryStorage } from "../../bot/storage/memory";
import { metricNames } from "../../contracts/metrics";
import { FakeClock } from "../helpers/clock";

const day = 86_400_000;

function profile(
  userId: number,
  changes: { subscribed?: boolean; blocked?: boolean; tipHour?: number } = {},
) {
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

describe("the stats summary", () => {
  const clock = new FakeClock("2026-12-06T12:00:00Z");
  const reader = new EmfMetricsReader();
  const metrics: Metrics = createMetrics({ write: reader.sink, now: () => clock.now().getTime() });
  const storage = createMemoryStorage({ clock });
  const intents = ["lambda.pricing", "dynamodb.basics", "greeting"];

  /** Emits at noon of `daysAgo` days before today. */
  function on(daysAgo: number, emit: (metrics: Metrics) => void) {
    clock.set(Date.parse("2026-12-06T12:00:00Z") - daysAgo * day);
    emit(metrics);
  }
  const message = (tier: string, outcome: string) => (m: Metrics) =>
    m.count(metricNames.messageClassified, 1, { Tier: tier, Outcome: outcome });
  const intent = (id: string) => (m: Metrics) => m.count(metricNames.intentMatched, 1, { Intent: id });

  beforeAll(async () => {
    // User 1: new 10 days ago, back 3 days ago (gap 7) and today (gap 3). User 2: new yesterday, back today.
    on(10, (m) => m.count(metricNames.activeUser, 1, { Gap: "new" }));
    on(3, (m) => m.count(metricNames.activeUser, 1, { Gap: "7" }));
    on(3, message("nlp", "answered"));
    on(3, intent("lambda.pricing"));
    on(3, message("nlp", "answered"));
    on(3, intent("lambda.pricing"));
    on(1, (m) => m.count(metricNames.activeUser, 1, { Gap: "new" }));
    on(1, message("rules", "declined"));
    on(1, (m) => m.count(metricNames.broadcastStarted));
    on(0, (m) => m.count(metricNames.activeUser, 1, { Gap: "3" }));
    on(0, (m) => m.count(metricNames.activeUser, 1, { Gap: "1" }));
    for (const id of ["lambda.pricing", "dynamodb.basics", "lambda.pricing"]) {
      on(0, message("nlp", "answered"));
      on(0, intent(id));
    }
    on(0, message("nlp", "clarified"));
    on(0, (m) => m.count(metricNames.questionnaireCompleted));
    on(0, (m) => m.count(metricNames.updatesReceived, 10));
    // Older than the week: counted in 30 days only.
    on(12, intent("greeting"));
    clock.set("2026-12-06T12:00:00Z");

    await storage.users.createIfMissing(profile(1, { subscribed: true, tipHour: 9 }));
    await storage.users.createIfMissing(profile(2, { subscribed: true, tipHour: 20 }));
    await storage.users.createIfMissing(profile(3, { subscribed: true, blocked: true, tipHour: 9 }));
    await storage.users.createIfMissing(profile(4));
  });

  it("reads 31 days of 3 totals, 6 tier × outcome series, 32 gaps and one series per intent", () => {
    const plan = statsQueries(dayOf("2026-12-06"), intents);
    expect(plan.range).toEqual({ firstDay: "2026-11-06", days: 31 });
    expect(plan.queries).toHaveLength(3 + 6 + 32 + intents.length);
  });

  it("adds up users, activity, messages, tiers, outcomes, intents, questionnaires and broadcasts", async () => {
    const stats = await collectStats(
      { metrics: reader, audience: new PagedAudienceCounter(storage.users) },
      clock,
      intents,
    );
    expect(stats.generatedAt).toBe("2026-12-06T12:00:00.000Z");
    expect(stats.today).toBe("2026-12-06");
    // 4 profiles; subscribers: 2 (the blocked one gets no tips).
    expect(stats.users).toEqual({
      total: 4,
      subscribers: 2,
      activeToday: 2,
      active7d: 2,
      active30d: 2,
      new7d: 1,
    });
    expect(stats.days.map((d) => d.date)).toEqual([
      "2026-11-30",
      "2026-12-01",
      "2026-12-02",
      "2026-12-03",
      "2026-12-04",
      "2026-12-05",
      "2026-12-06",
    ]);
    expect(stats.days.map((d) => d.messages)).toEqual([0, 0, 0, 2, 0, 1, 4]);
    expect(stats.days.map((d) => d.activeUsers)).toEqual([0, 0, 0, 1, 0, 1, 2]);
    expect(stats.days.map((d) => d.newUsers)).toEqual([0, 0, 0, 0, 0, 1, 0]);
    expect(stats.days.at(-1)?.updates).toBe(10);
    expect(stats.week).toEqual({
      messages: 7,
      byTier: { rules: 1, nlp: 6 },
      nlpShare: 0.857,
      answered: 5,
      clarified: 1,
      declined: 1,
      declineRate: 0.143,
      topIntents: [
        { intent: "lambda.pricing", count: 4 },
        { intent: "dynamodb.basics", count: 1 },
      ],
      questionnairesCompleted: 1,
      broadcastsStarted: 1,
    });
  });

  it("says null for shares of a week without messages, and counts a user gone 30 days out of 7 and 30", async () => {
    clock.set("2026-12-30T08:00:00Z");
    const stats = await collectStats(
      { metrics: reader, audience: new PagedAudienceCounter(storage.users) },
      clock,
      intents,
    );
    expect(stats.week.messages).toBe(0);
    expect(stats.week.nlpShare).toBeNull();
    expect(stats.week.declineRate).toBeNull();
    expect(stats.week.topIntents).toEqual([]);
    // Both were last seen on 12-06: 24 days ago.
    expect(stats.users).toMatchObject({ activeToday: 0, active7d: 0, active30d: 2 });
    clock.set("2026-12-06T12:00:00Z");
  });
});
