/**
 * The {@link MetricsReader} of AWS: one `GetMetricData` call (up to 500 series; more are split into parallel
 * calls) with `Stat: Sum` and a one-day period from a UTC midnight, so each data point is one UTC day. The
 * SDK client is loaded on the first read only (bot/stats/cloudwatch-client.ts). CloudWatch keeps one-minute
 * data 15 days and five-minute data 63 days, so the 31 days /stats reads are always complete sums.
 * IAM: `cloudwatch:GetMetricData` (resource `*`: CloudWatch has no resource-level permissions for it).
 */
import type { CloudWatchClientConfig } from "@aws-sdk/client-cloudwatch";
import { metricsNamespace } from "../../contracts/metrics";
import { dayNumber, dayOf, startOfDay } from "./days";
import { type DayRange, type MetricsReader, MetricsUnavailableError, type SeriesQuery } from "./port";

/** GetMetricData's limit on queries per request. */
export const maxQueriesPerCall = 500;
const secondsPerDay = 86_400;

type Client = ReturnType<typeof import("./cloudwatch-client").createCloudWatchClient>;

/** Reads daily sums from CloudWatch (see the module comment). */
export class CloudWatchMetricsReader implements MetricsReader {
  private client: Promise<Client> | undefined;

  /** `config`: region, credentials, endpoint and time budget (bot/runtime/aws.ts `awsClientConfigFrom`). */
  constructor(
    private readonly config: CloudWatchClientConfig,
    private readonly namespace: string = metricsNamespace,
  ) {}

  /** @inheritdoc */
  async dailySums(queries: readonly SeriesQuery[], range: DayRange): Promise<number[][]> {
    const first = dayOf(range.firstDay);
    const chunks: SeriesQuery[][] = [];
    for (let i = 0; i < queries.length; i += maxQueriesPerCall)
      chunks.push(queries.slice(i, i + maxQueriesPerCall));
    const answers = await Promise.all(chunks.map((chunk) => this.read(chunk, first, range.days)));
    return answers.flat();
  }

  /** Frees the client's connections (tests; a Lambda keeps it). */
  async destroy(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) (await client).destroy();
  }

  private async read(queries: SeriesQuery[], first: number, days: number): Promise<number[][]> {
    this.client ??= import("./cloudwatch-client").then(({ createCloudWatchClient }) =>
      createCloudWatchClient(this.config),
    );
    const client = await this.client;
    const sums = queries.map(() => Array.from({ length: days }, () => 0));
    const metricDataQueries = queries.map((query, i) => ({
      Id: `q${i}`,
      MetricStat: {
        Metric: {
          Namespace: this.namespace,
          MetricName: query.metric,
          Dimensions: Object.entries(query.dimensions ?? {})
            .filter((entry): entry is [string, string] => entry[1] !== undefined)
            .map(([Name, Value]) => ({ Name, Value })),
        },
        Period: secondsPerDay,
        Stat: "Sum",
      },
      ReturnData: true,
    }));
    let nextToken: string | undefined;
    do {
      let answer: Awaited<ReturnType<Client["getMetricData"]>>;
      try {
        answer = await client.getMetricData({
          MetricDataQueries: metricDataQueries,
          StartTime: new Date(startOfDay(first)),
          EndTime: new Date(startOfDay(first + days)),
          ScanBy: "TimestampAscending",
          ...(nextToken ? { NextToken: nextToken } : {}),
        });
      } catch (error) {
        throw new MetricsUnavailableError(
          `GetMetricData failed: ${(error as Error).name}: ${(error as Error).message}.`,
          { cause: error },
        );
      }
      for (const result of answer.MetricDataResults ?? []) {
        const index = Number(result.Id?.slice(1));
        const series = sums[index];
        if (!series) continue;
        const timestamps = result.Timestamps ?? [];
        for (const [i, timestamp] of timestamps.entries()) {
          const day = dayNumber(timestamp) - first;
          if (day >= 0 && day < days) series[day] = (series[day] ?? 0) + (result.Values?.[i] ?? 0);
        }
      }
      nextToken = answer.NextToken;
    } while (nextToken);
    return sums;
  }
}
