/**
 * A tiny, dependency-free writer of CloudWatch Embedded Metric Format (EMF): one JSON line per metric on
 * stdout, which CloudWatch Logs turns into a metric with no API call and no extra latency. Names come from
 * contracts/metrics.ts so the dashboard and the handlers cannot drift apart.
 *
 * @example
 * const metrics = createMetrics();
 * metrics.count(metricNames.updatesReceived);
 * metrics.count(metricNames.intentMatched, 1, { Intent: "lambda.pricing" });
 */
import { type MetricDimension, type MetricName, metricsNamespace } from "../../contracts/metrics";

/** Where EMF lines go; defaults to raw stdout (not `console.log`, whose Lambda prefix would break EMF). */
export type MetricSink = (line: string) => void;

/** Units CloudWatch accepts that this project uses. */
export type MetricUnit = "Count" | "Milliseconds" | "Bytes" | "Percent" | "None";

/** Options of one metric. */
export interface MetricOptions {
  /** Dimension values, e.g. `{ Intent: "lambda.pricing" }`; the metric is also emitted without them (a total). */
  dimensions?: Partial<Record<MetricDimension, string>>;
  /** Defaults to `Count`. */
  unit?: MetricUnit;
  /** Epoch milliseconds; defaults to now. */
  timestamp?: number;
}

/** The emitter the handlers receive. */
export interface Metrics {
  /** Emits `value` (default 1) of a count metric. */
  count(name: MetricName, value?: number, dimensions?: MetricOptions["dimensions"]): void;
  /** Emits any metric with full options. */
  emit(name: MetricName, value: number, options?: MetricOptions): void;
}

/** Options of {@link createMetrics}. */
export interface CreateMetricsOptions {
  /** Defaults to writing the line and a newline to `process.stdout`. */
  write?: MetricSink;
  /** Clock in epoch milliseconds, injectable for tests. */
  now?: () => number;
  /** Told about dropped values (NaN, infinite); metrics never throw into the bot. */
  logger?: { warn(message: string, fields?: Record<string, unknown>): void };
}

const stdoutSink: MetricSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/**
 * Formats one EMF document as a single JSON line (pure). The metric is emitted with its dimensions and as a
 * dimensionless total, so the dashboard can graph both without a SEARCH over every dimension value.
 */
export function formatMetric(name: MetricName, value: number, options: MetricOptions = {}): string {
  const dimensions: Record<string, string> = {};
  for (const [key, raw] of Object.entries(options.dimensions ?? {})) {
    if (raw === undefined) continue;
    // CloudWatch rejects empty dimension values and values over 1024 characters.
    dimensions[key] = raw.length === 0 ? "none" : raw.slice(0, 1024);
  }
  const keys = Object.keys(dimensions);
  const dimensionSets = keys.length > 0 ? [keys, []] : [[]];
  return JSON.stringify({
    _aws: {
      Timestamp: options.timestamp ?? Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: metricsNamespace,
          Dimensions: dimensionSets,
          Metrics: [{ Name: name, Unit: options.unit ?? "Count" }],
        },
      ],
    },
    ...dimensions,
    [name]: value,
  });
}

/** Writes one EMF line for `name` (default sink: stdout). Non-finite values are dropped, never thrown. */
export function emitMetric(
  name: MetricName,
  value = 1,
  options: MetricOptions = {},
  write: MetricSink = stdoutSink,
): boolean {
  if (!Number.isFinite(value)) return false;
  write(formatMetric(name, value, options));
  return true;
}

/** Builds the {@link Metrics} emitter a handler passes to the bot; inject `write` and `now` in tests. */
export function createMetrics(options: CreateMetricsOptions = {}): Metrics {
  const write = options.write ?? stdoutSink;
  const now = options.now ?? Date.now;
  const emit = (name: MetricName, value: number, metricOptions: MetricOptions = {}) => {
    const written = emitMetric(name, value, { timestamp: now(), ...metricOptions }, write);
    if (!written) options.logger?.warn("Metric value dropped: not a finite number", { metric: name, value });
  };
  return {
    count: (name, value = 1, dimensions) => emit(name, value, dimensions ? { dimensions } : {}),
    emit,
  };
}
