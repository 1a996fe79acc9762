/**
 * The EMF writer the handlers call: one JSON line per metric that CloudWatch turns into the metrics the
 * dashboard graphs (same names, same namespace, a per-intent series and a total).
 */

import { createMetrics, emitMetric, formatMetric } from "../../bot/observability/metrics";
import { metricNames, metricsNamespace } from "../../contracts/metrics";

describe("EMF writer", () => {
  test("a count is one JSON line in the Lambdagram namespace, value under the metric's name", () => {
    const line = formatMetric(metricNames.updatesReceived, 1, { timestamp: 1_700_000_000_000 });
    expect(line).not.toContain("\n");
    expect(JSON.parse(line)).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: metricsNamespace,
            Dimensions: [[]],
            Metrics: [{ Name: "UpdatesReceived", Unit: "Count" }],
          },
        ],
      },
      UpdatesReceived: 1,
    });
  });

  test("a dimension gives a per-intent series and a dimensionless total (for the fallback rate)", () => {
    const emf = JSON.parse(
      formatMetric(metricNames.intentMatched, 1, { dimensions: { Intent: "lambda.pricing" }, timestamp: 1 }),
    );
    expect(emf._aws.CloudWatchMetrics[0].Dimensions).toEqual([["Intent"], []]);
    expect(emf.Intent).toBe("lambda.pricing");
    expect(emf.IntentMatched).toBe(1);
  });

  test("an empty dimension value becomes `none` (CloudWatch drops empty values)", () => {
    expect(
      JSON.parse(formatMetric(metricNames.intentMatched, 1, { dimensions: { Intent: "" } })).Intent,
    ).toBe("none");
  });

  test("emitMetric prints to stdout by default, exactly one line", () => {
    const spy = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      emitMetric(metricNames.recommendationsSent, 3);
      expect(spy).toHaveBeenCalledTimes(1);
      const written = String(spy.mock.calls[0]?.[0]);
      expect(written.endsWith("\n")).toBe(true);
      expect(JSON.parse(written).RecommendationsSent).toBe(3);
    } finally {
      spy.mockRestore();
    }
  });

  test("createMetrics stamps the injected clock and never throws on a bad value (it warns instead)", () => {
    const lines: string[] = [];
    const warnings: string[] = [];
    const metrics = createMetrics({
      write: (line) => lines.push(line),
      now: () => 42,
      logger: { warn: (message) => warnings.push(message) },
    });
    metrics.count(metricNames.broadcastMessagesSent, 25);
    metrics.count(metricNames.intentMatched, 1, { Intent: "greeting" });
    metrics.emit(metricNames.broadcastMessagesFailed, Number.NaN);
    expect(lines.map((line) => JSON.parse(line)._aws.Timestamp)).toEqual([42, 42]);
    expect(JSON.parse(lines[0] ?? "{}").BroadcastMessagesSent).toBe(25);
    expect(JSON.parse(lines[1] ?? "{}").Intent).toBe("greeting");
    expect(warnings).toHaveLength(1);
  });
});
