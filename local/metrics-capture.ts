/**
 * What CloudWatch does with the handlers' EMF lines on AWS, done locally: the lines the local stack's handlers
 * emit (bot/observability/metrics.ts) go into an {@link EmfMetricsReader}, so /stats and `GET /admin/stats`
 * show real figures, and are appended to `metrics.jsonl` in the data folder, read back at the next start (the
 * figures survive a restart, like the chats in dynalite do). Without a data folder they live in memory.
 */
import { createReadStream, createWriteStream, existsSync, renameSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { MetricSink } from "../bot/observability/metrics";
import { EmfMetricsReader } from "../bot/stats/emf-reader";

/** File name of the captured EMF lines in the data folder. */
export const capturedMetricsFile = "metrics.jsonl";

/** The capture: the reader /stats reads, the sink the handlers write to, and `close` for the stop. */
export interface MetricsCapture {
  reader: EmfMetricsReader;
  sink: MetricSink;
  /** Where the lines are kept (undefined: in memory only). */
  file: string | undefined;
  close(): Promise<void>;
}

/** Loads the lines kept in `dataDir` (if any) and opens the capture. */
export async function captureMetrics(dataDir: string | null): Promise<MetricsCapture> {
  const reader = new EmfMetricsReader();
  const file = dataDir ? join(dataDir, capturedMetricsFile) : undefined;
  if (file && existsSync(file)) {
    const lines = createInterface({
      input: createReadStream(file, "utf8"),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of lines) if (line.trim()) reader.ingest(line);
  }
  const out: WriteStream | undefined = file ? createWriteStream(file, { flags: "a" }) : undefined;
  return {
    reader,
    file,
    sink: (line) => {
      if (reader.ingest(line)) out?.write(`${line}\n`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!out) resolve();
        else out.end(() => resolve());
      }),
  };
}

/**
 * Moves the captured metrics aside (when the stack moved the bot's data aside: figures about users the table
 * no longer has would not add up); says where, or undefined when there was nothing to move.
 */
export function setAsideCapturedMetrics(dataDir: string): string | undefined {
  const file = join(dataDir, capturedMetricsFile);
  if (!existsSync(file)) return undefined;
  const aside = `${file}.set-aside-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  renameSync(file, aside);
  return `The captured metrics went with that data, to ${aside}; /stats starts from zero.`;
}
