/**
 * The in-memory MetricsReader reads the EMF lines the metrics writer produces (bot/observability/metrics.ts)
 * and sums them as CloudWatch does: per exact dimension set and per UTC day.
 */

import { createMetrics, formatMetric } from "../../bot/observability/metrics";
import { EmfMetricsReader } from "../../bot/stats/emf-reader";
import { metricNames } from "../../contracts/metrics";
import { FakeClock } from "../helpers/clock";

describe("the EMF capture reader", () => {
  it("sums the writer's lines per day, as a total and per exact dimension set", async () => {
    const clock = new FakeClock("2026-12-01T23:59:00Z");
    const reader = new EmfMetricsReader();
    const metrics = createMetrics({ write: reader.sink, now: () => clock.now().getTime() });
    metrics.count(metricNames.intentMatched, 1, { Intent: "lambda.pricing" });
    metrics.count(metricNames.updatesReceived, 3);
    clock.advance(2 * 60_000); // past midnight: the next UTC day
    metrics.count(metricNames.intentMatched, 1, { Intent: "lambda.pricing" });
    metrics.count(metricNames.intentMatched, 1, { Intent: "greeting" });
    metrics.count(metricNames.messageClassified, 1, { Tier: "nlp", Outcome: "declined" });

    const range = { firstDay: "2026-11-30", days: 3 };
    expect(
      await reader.dailySums(
        [
          { metric: metricNames.intentMatched },
          { metric: metricNames.intentMatched, dimensions: { Intent: "lambda.pricing" } },
          { metric: metricNames.updatesReceived },
          { metric: metricNames.messageClassified, dimensions: { Tier: "nlp", Outcome: "declined" } },
          // Not a dimension set it was emitted with: CloudWatch has no such series either.
          { metric: metricNames.messageClassified, dimensions: { Tier: "nlp" } },
          { metric: metricNames.questionnaireCompleted },
        ],
        range,
      ),
    ).toEqual([
      [0, 1, 2],
      [0, 1, 1],
      [0, 3, 0],
      [0, 0, 1],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(reader.ingested).toBe(5);
  });

  it("takes a whole log: log lines, broken JSON and other namespaces change nothing", async () => {
    const reader = new EmfMetricsReader();
    const timestamp = Date.parse("2026-12-01T10:00:00Z");
    const foreign = formatMetric(metricNames.updatesReceived, 5, { timestamp }).replace(
      '"Namespace":"Lambdagram"',
      '"Namespace":"Other"',
    );
    expect(reader.ingest('{"level":"info","msg":"update handled"}')).toBe(false);
    expect(reader.ingest("{not json")).toBe(false);
    expect(reader.ingest(foreign)).toBe(false);
    expect(reader.ingest(formatMetric(metricNames.updatesReceived, 2, { timestamp }))).toBe(true);
    const [sums] = await reader.dailySums([{ metric: metricNames.updatesReceived }], {
      firstDay: "2026-12-01",
      days: 1,
    });
    expect(sums).toEqual([2]);
  });

  it("sums EMF value lists and skips values that are not finite numbers", async () => {
    const reader = new EmfMetricsReader();
    const line = JSON.stringify({
      _aws: {
        Timestamp: Date.parse("2026-12-01T10:00:00Z"),
        CloudWatchMetrics: [
          {
            Namespace: "Lambdagram",
            Dimensions: [[]],
            Metrics: [{ Name: "UpdatesReceived", Unit: "Count" }],
          },
        ],
      },
      UpdatesReceived: [1, 2, "x", 4],
    });
    expect(reader.ingest(line)).toBe(true);
    const [sums] = await reader.dailySums([{ metric: metricNames.updatesReceived }], {
      firstDay: "2026-12-01",
      days: 1,
    });
    expect(sums).toEqual([7]);
  });
});
