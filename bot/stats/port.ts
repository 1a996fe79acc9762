/**
 * The ports /stats reads through (bot/stats/): daily sums of the custom metrics the handlers emit
 * ({@link MetricsReader}: CloudWatch `GetMetricData` on AWS, the captured EMF lines locally) and the two counts
 * only the table knows exactly ({@link AudienceCounter}: users and subscribers). Both are read in the admin
 * path only; the update path writes nothing for stats.
 */
import type { MetricDimension, MetricName } from "../../contracts/metrics";

/**
 * One series: a metric and its dimension values. As in CloudWatch, the dimensions must match a dimension set
 * the metric was emitted with exactly: none is the dimensionless total every metric also has
 * (bot/observability/metrics.ts), `{ Intent: "x" }` the series of that intent.
 */
export interface SeriesQuery {
  metric: MetricName;
  dimensions?: Partial<Record<MetricDimension, string>>;
}

/** A run of whole UTC days: `days` days from `firstDay` (a `YYYY-MM-DD` date) on. */
export interface DayRange {
  firstDay: string;
  days: number;
}

/** Reads sums of custom metrics per UTC day. */
export interface MetricsReader {
  /**
   * The sum of each series on each day of `range`: one array per query, in the order asked, `range.days` long,
   * oldest day first, 0 where nothing was emitted.
   */
  dailySums(queries: readonly SeriesQuery[], range: DayRange): Promise<number[][]>;
}

/** The counts read from the table: every user with a profile, and the subscribers the tip run serves. */
export interface AudienceCounts {
  /** User profiles (anyone who ever wrote to the bot in private and was not forgotten), blocked ones included. */
  users: number;
  /** Subscribed, reachable users with a tip hour: exactly the ones the daily tips go to. */
  subscribers: number;
}

/** Counts users and subscribers (table reads in the admin path). */
export interface AudienceCounter {
  count(): Promise<AudienceCounts>;
}

/** Thrown when the metrics cannot be read (network, throttling, permissions); says how to fix it. */
export class MetricsUnavailableError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(
      `${message} /stats reads CloudWatch with GetMetricData: the function's role needs cloudwatch:GetMetricData, ` +
        "and the region must be the one the handlers log to.",
      options,
    );
    this.name = "MetricsUnavailableError";
  }
}
