/**
 * A {@link MetricsReader} fed by the Embedded Metric Format lines themselves (the JSON lines
 * bot/observability/metrics.ts writes), summing them as CloudWatch would: per metric and exact dimension set,
 * per UTC day. The local stack hands its handlers {@link EmfMetricsReader.sink} as their metric sink, so
 * /stats and `GET /admin/stats` show real figures on a laptop; tests use it the same way.
 */
import { metricsNamespace } from "../../contracts/metrics";
import type { MetricSink } from "../observability/metrics";
import { dayNumber, dayOf } from "./days";
import type { DayRange, MetricsReader, SeriesQuery } from "./port";

/** The key of one series: metric name and its dimensions, sorted by name. */
function seriesKey(metric: string, dimensions: Record<string, string>): string {
  const pairs = Object.keys(dimensions)
    .sort()
    .map((name) => `${name}=${dimensions[name]}`);
  return [metric, ...pairs].join("\u0000");
}

/** The values of a dimension set's keys in the document, or undefined when one is missing. */
function dimensionsOf(document: Record<string, unknown>, set: unknown): Record<string, string> | undefined {
  if (!Array.isArray(set)) return undefined;
  const dimensions: Record<string, string> = {};
  for (const name of set) {
    const value = typeof name === "string" ? document[name] : undefined;
    if (typeof value !== "string") return undefined;
    dimensions[name] = value;
  }
  return dimensions;
}

interface EmfDirective {
  Namespace?: unknown;
  Dimensions?: unknown;
  Metrics?: unknown;
}

/** See the module comment. */
export class EmfMetricsReader implements MetricsReader {
  /** series key → UTC day → sum */
  private readonly sums = new Map<string, Map<number, number>>();
  private lines = 0;

  /** A metric sink that ingests every line written to it (give it to `createMetrics({ write })`). */
  readonly sink: MetricSink = (line) => {
    this.ingest(line);
  };

  /** How many EMF lines were taken in. */
  get ingested(): number {
    return this.lines;
  }

  /**
   * Adds one EMF line. Returns false, changing nothing, for a line that is not an EMF document of the
   * Lambdagram namespace (a log line, broken JSON): the reader can be fed a whole log.
   */
  ingest(line: string): boolean {
    let document: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== "object" || parsed === null) return false;
      document = parsed as Record<string, unknown>;
    } catch {
      return false;
    }
    const aws = document._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
    if (!aws || typeof aws.Timestamp !== "number" || !Array.isArray(aws.CloudWatchMetrics)) return false;
    const day = dayNumber(aws.Timestamp);
    let taken = false;
    for (const directive of aws.CloudWatchMetrics as EmfDirective[]) {
      if (directive?.Namespace !== metricsNamespace || !Array.isArray(directive.Metrics)) continue;
      const dimensionSets = Array.isArray(directive.Dimensions) ? (directive.Dimensions as unknown[]) : [[]];
      for (const metric of directive.Metrics as { Name?: unknown }[]) {
        if (typeof metric?.Name !== "string") continue;
        const raw = document[metric.Name];
        // EMF allows one value or a list of values.
        const values = (Array.isArray(raw) ? raw : [raw]).filter(
          (value): value is number => typeof value === "number" && Number.isFinite(value),
        );
        if (values.length === 0) continue;
        const value = values.reduce((sum, next) => sum + next, 0);
        for (const set of dimensionSets) {
          const dimensions = dimensionsOf(document, set);
          if (!dimensions) continue;
          this.add(seriesKey(metric.Name, dimensions), day, value);
          taken = true;
        }
      }
    }
    if (taken) this.lines++;
    return taken;
  }

  /** @inheritdoc */
  async dailySums(queries: readonly SeriesQuery[], range: DayRange): Promise<number[][]> {
    const first = dayOf(range.firstDay);
    return queries.map((query) => {
      const dimensions: Record<string, string> = {};
      for (const [name, value] of Object.entries(query.dimensions ?? {}))
        if (value !== undefined) dimensions[name] = value;
      const byDay = this.sums.get(seriesKey(query.metric, dimensions));
      return Array.from({ length: range.days }, (_, i) => byDay?.get(first + i) ?? 0);
    });
  }

  private add(key: string, day: number, value: number): void {
    let byDay = this.sums.get(key);
    if (!byDay) {
      byDay = new Map();
      this.sums.set(key, byDay);
    }
    byDay.set(day, (byDay.get(day) ?? 0) + value);
  }
}
