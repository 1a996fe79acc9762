/**
 * `GET /admin/stats`: the real admin API handler builder over the composition root, with the EMF capture
 * reader as its metrics and profiles in the in-memory storage; the bearer token first, the stats JSON, and 503
 * when CloudWatch cannot be read.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { MemoryBroadcastStore } from "../../bot/broadcast/store/memory";
import { createMetrics } from "../../bot/observability/metrics";
import { buildAdminApiHandler } from "../../bot/runtime/admin-api";
import { createServices } from "../../bot/runtime/services";
import { EmfMetricsReader } from "../../bot/stats/emf-reader";
import { type MetricsReader, MetricsUnavailableError } from "../../bot/stats/port";
import type { BotStats } from "../../bot/stats/summary";
import { createMemoryStorage } from "../../bot/storage/memory";
import { metricNames } from "../../contracts/metrics";
import { env } from "../../contracts/runtime";
import { defaultContent } from "../helpers/bot-harness";
import { FakeClock } from "../helpers/clock";

const token = "stats-admin-token";

async function api(metricsReader: MetricsReader, clock: FakeClock) {
  const storage = createMemoryStorage();
  for (const userId of [10, 11, 12])
    await storage.users.createIfMissing({
      userId,
      chatId: userId,
      language: "en",
      createdAt: "2026-12-01T00:00:00.000Z",
      updatedAt: "2026-12-01T00:00:00.000Z",
      subscribed: userId === 10,
      blocked: false,
      ...(userId === 10 ? { tipHour: 9 } : {}),
    });
  return buildAdminApiHandler(
    createServices(
      { [env.adminApiToken]: token, [env.logLevel]: "silent" },
      {
        users: storage.users,
        broadcasts: new MemoryBroadcastStore(),
        metricsReader,
        content: defaultContent(),
        clock,
        jobs: { send: async () => {} },
      },
    ),
  );
}

function get(authorization?: string): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "GET /admin/stats",
    rawPath: "/admin/stats",
    headers: authorization ? { authorization } : {},
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

describe("GET /admin/stats", () => {
  it("answers 401 without the admin token", async () => {
    const handler = await api(new EmfMetricsReader(), new FakeClock());
    expect((await handler(get())).statusCode).toBe(401);
    expect((await handler(get("Bearer wrong"))).statusCode).toBe(401);
  });

  it("answers the stats JSON /stats shows, from the captured metrics and the profiles", async () => {
    const clock = new FakeClock("2026-12-06T09:00:00Z");
    const reader = new EmfMetricsReader();
    const metrics = createMetrics({ write: reader.sink, now: () => clock.now().getTime() });
    metrics.count(metricNames.activeUser, 1, { Gap: "new" });
    metrics.count(metricNames.messageClassified, 1, { Tier: "rules", Outcome: "answered" });
    metrics.count(metricNames.intentMatched, 1, { Intent: "qa.lambda-pricing" });
    metrics.count(metricNames.messageClassified, 1, { Tier: "nlp", Outcome: "declined" });
    const handler = await api(reader, clock);

    const answer = await handler(get(`Bearer ${token}`));

    expect(answer.statusCode).toBe(200);
    expect(answer.headers?.["content-type"]).toBe("application/json");
    const stats = JSON.parse(String(answer.body)) as BotStats;
    expect(stats.today).toBe("2026-12-06");
    expect(stats.users).toEqual({
      total: 3,
      subscribers: 1,
      activeToday: 1,
      active7d: 1,
      active30d: 1,
      new7d: 1,
    });
    expect(stats.days).toHaveLength(7);
    expect(stats.days.at(-1)).toEqual({
      date: "2026-12-06",
      updates: 0,
      messages: 2,
      activeUsers: 1,
      newUsers: 1,
    });
    expect(stats.week).toMatchObject({
      messages: 2,
      byTier: { rules: 1, nlp: 1 },
      nlpShare: 0.5,
      declineRate: 0.5,
      topIntents: [{ intent: "qa.lambda-pricing", count: 1 }],
    });
  });

  it("answers 503 naming the permission when CloudWatch cannot be read", async () => {
    const failing: MetricsReader = {
      dailySums: async () => {
        throw new MetricsUnavailableError("GetMetricData failed: AccessDeniedException: not authorized.");
      },
    };
    const answer = await (await api(failing, new FakeClock()))(get(`Bearer ${token}`));
    expect(answer.statusCode).toBe(503);
    expect(JSON.parse(String(answer.body)).error).toMatch(/cloudwatch:GetMetricData/);
  });
});
