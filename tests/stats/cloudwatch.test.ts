/**
 * The CloudWatch MetricsReader over the SDK's CloudWatch client, against a loopback endpoint that speaks
 * CloudWatch's JSON protocol (`GraniteServiceVersion20100801.GetMetricData`) and verifies SigV4 signatures for
 * the `monitoring` service: the request /stats sends, how answers map to UTC days, pages, large query lists,
 * and failures.
 */

import { CloudWatchMetricsReader, maxQueriesPerCall } from "../../bot/stats/cloudwatch";
import { MetricsUnavailableError, type SeriesQuery } from "../../bot/stats/port";
import { metricNames } from "../../contracts/metrics";
import {
  type AwsJsonEndpoint,
  type RecordedRequest,
  startAwsJsonEndpoint,
  testCredentials,
  testRegion,
} from "../helpers/aws-json-endpoint";

interface MetricDataQuery {
  Id: string;
  MetricStat: {
    Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] };
    Period: number;
    Stat: string;
  };
  ReturnData: boolean;
}
interface GetMetricDataInput {
  MetricDataQueries: MetricDataQuery[];
  StartTime: number;
  EndTime: number;
  ScanBy?: string;
  NextToken?: string;
}

/** One stored data point: metric, dimensions, epoch seconds, value. */
interface Point {
  metric: string;
  dimensions: Record<string, string>;
  at: number;
  value: number;
}

/**
 * Answers GetMetricData as CloudWatch does from `points`: per query, the Sum per period from StartTime, only
 * for points whose dimensions are exactly the query's, periods without data left out. With `pageSize`, the
 * results come `pageSize` queries at a time, continued by NextToken.
 */
function cloudWatch(points: Point[], pageSize = Number.POSITIVE_INFINITY) {
  return (request: RecordedRequest) => {
    const input = request.body as GetMetricDataInput;
    const start = Number(input.NextToken ?? 0);
    const queries = input.MetricDataQueries.slice(start, start + pageSize);
    const results = queries.map((query) => {
      const { Metric, Period } = query.MetricStat;
      const wanted = Object.fromEntries(Metric.Dimensions.map((d) => [d.Name, d.Value]));
      const sums = new Map<number, number>();
      for (const point of points) {
        if (point.metric !== Metric.MetricName || point.at < input.StartTime || point.at >= input.EndTime)
          continue;
        if (
          JSON.stringify(Object.entries(point.dimensions).sort()) !==
          JSON.stringify(Object.entries(wanted).sort())
        )
          continue;
        const bucket = input.StartTime + Math.floor((point.at - input.StartTime) / Period) * Period;
        sums.set(bucket, (sums.get(bucket) ?? 0) + point.value);
      }
      const timestamps = [...sums.keys()].sort((a, b) => a - b);
      return {
        Id: query.Id,
        Label: Metric.MetricName,
        Timestamps: timestamps,
        Values: timestamps.map((t) => sums.get(t)),
        StatusCode: "Complete",
      };
    });
    const next = start + pageSize < input.MetricDataQueries.length ? String(start + pageSize) : undefined;
    return { body: { MetricDataResults: results, Messages: [], ...(next ? { NextToken: next } : {}) } };
  };
}

const at = (iso: string) => Date.parse(iso) / 1000;

let endpoint: AwsJsonEndpoint;
let reader: CloudWatchMetricsReader;

beforeAll(async () => {
  endpoint = await startAwsJsonEndpoint({ service: "monitoring" });
  reader = new CloudWatchMetricsReader({
    region: testRegion,
    credentials: testCredentials,
    endpoint: endpoint.url,
    maxAttempts: 1,
  });
});
beforeEach(() => endpoint.reset());
afterAll(async () => {
  await reader.destroy();
  await endpoint.stop();
});

const points: Point[] = [
  { metric: "UpdatesReceived", dimensions: {}, at: at("2026-12-01T00:00:00Z"), value: 4 },
  { metric: "UpdatesReceived", dimensions: {}, at: at("2026-12-01T23:59:59Z"), value: 1 },
  { metric: "UpdatesReceived", dimensions: {}, at: at("2026-12-03T08:00:00Z"), value: 7 },
  // Outside the range asked: before and after.
  { metric: "UpdatesReceived", dimensions: {}, at: at("2026-11-30T23:59:59Z"), value: 100 },
  { metric: "UpdatesReceived", dimensions: {}, at: at("2026-12-04T00:00:00Z"), value: 100 },
  { metric: "IntentMatched", dimensions: { Intent: "greeting" }, at: at("2026-12-02T10:00:00Z"), value: 2 },
  { metric: "IntentMatched", dimensions: {}, at: at("2026-12-02T10:00:00Z"), value: 2 },
];
const range = { firstDay: "2026-12-01", days: 3 };

describe("the CloudWatch metrics reader", () => {
  it("sends one signed GetMetricData of daily sums from UTC midnight and maps the answer to days", async () => {
    endpoint.respondWith(cloudWatch(points));
    const sums = await reader.dailySums(
      [
        { metric: metricNames.updatesReceived },
        { metric: metricNames.intentMatched, dimensions: { Intent: "greeting" } },
        { metric: metricNames.intentMatched, dimensions: { Intent: "lambda.pricing" } },
      ],
      range,
    );
    expect(sums).toEqual([
      [5, 0, 7],
      [0, 2, 0],
      [0, 0, 0],
    ]);
    expect(endpoint.requests).toHaveLength(1);
    const [request] = endpoint.requests;
    expect(request?.signatureValid).toBe(true);
    expect(request?.targetPrefix).toBe("GraniteServiceVersion20100801");
    expect(request?.operation).toBe("GetMetricData");
    const input = request?.body as GetMetricDataInput;
    expect(input.StartTime).toBe(at("2026-12-01T00:00:00Z"));
    expect(input.EndTime).toBe(at("2026-12-04T00:00:00Z"));
    expect(input.MetricDataQueries[1]).toEqual({
      Id: "q1",
      MetricStat: {
        Metric: {
          Namespace: "Lambdagram",
          MetricName: "IntentMatched",
          Dimensions: [{ Name: "Intent", Value: "greeting" }],
        },
        Period: 86400,
        Stat: "Sum",
      },
      ReturnData: true,
    });
  });

  it("follows NextToken until the last page", async () => {
    endpoint.respondWith(cloudWatch(points, 1));
    const sums = await reader.dailySums(
      [{ metric: metricNames.updatesReceived }, { metric: metricNames.intentMatched }],
      range,
    );
    expect(sums).toEqual([
      [5, 0, 7],
      [0, 2, 0],
    ]);
    expect(endpoint.requests.map((r) => (r.body as GetMetricDataInput).NextToken)).toEqual([undefined, "1"]);
  });

  it(`splits more than ${maxQueriesPerCall} series into parallel calls and keeps their order`, async () => {
    endpoint.respondWith(cloudWatch(points));
    const queries: SeriesQuery[] = Array.from({ length: maxQueriesPerCall + 20 }, (_, i) =>
      i === maxQueriesPerCall + 5
        ? { metric: metricNames.updatesReceived }
        : { metric: metricNames.intentMatched, dimensions: { Intent: `intent-${i}` } },
    );
    const sums = await reader.dailySums(queries, range);
    expect(sums).toHaveLength(maxQueriesPerCall + 20);
    expect(sums[maxQueriesPerCall + 5]).toEqual([5, 0, 7]);
    expect(
      endpoint.requests.map((r) => (r.body as GetMetricDataInput).MetricDataQueries.length).sort(),
    ).toEqual([20, maxQueriesPerCall]);
  });

  it("turns a refusal into MetricsUnavailableError naming the permission", async () => {
    endpoint.respondWith(() => ({
      status: 400,
      headers: { "x-amzn-query-error": "AccessDenied;Sender" },
      body: { __type: "com.amazon.coral.service#AccessDeniedException", message: "not authorized" },
    }));
    const reading = reader.dailySums([{ metric: metricNames.updatesReceived }], range);
    await expect(reading).rejects.toBeInstanceOf(MetricsUnavailableError);
    await expect(reading).rejects.toThrow(/cloudwatch:GetMetricData/);
  });
});
