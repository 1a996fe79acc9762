/**
 * Export benchmark: N completed learner-profile responses (default 10,000; names in English, Vietnamese and
 * Chinese, some with commas and quotes) written to dynalite with the item layout the bot writes (the
 * `responses` index attributes included), then exported as CSV in child processes, one per strategy, each
 * with a fresh heap (bench/export-child.ts, bundled and minified with esbuild and run with plain `node`, as a Lambda runs
 * its bundle):
 * - `streamed`: one call of the admin API handler (Accept: text/csv), what the Lambda runs;
 * - `baseline`: every response read into one array first, then the CSV built from it.
 * dynalite runs in this process, so the children's memory is the export's alone. Each strategy runs `runs`
 * times (default 3); the table shows the median time and the largest peaks.
 *
 * A third argument limits the children's old generation (`--max-old-space-size`): a strategy that runs out of
 * memory is reported as such.
 *
 *   npx tsx bench/export.ts [responses=10000] [runs=3] [heapMb=0 (node's default)]
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { build } from "esbuild";
import { keys } from "../bot/storage/dynamodb";
import { responsesIndexAttributes } from "../bot/storage/dynamodb-responses";
import type { QuestionnaireSubmission } from "../bot/storage/port";
import { loadContent } from "../content/load";
import { startDynalite } from "../local/dynalite";
import { withoutExamples } from "../scripts/build";

const responses = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 3);
/** `--max-old-space-size` of the export processes (MB); 0: node's default. */
const heapMb = Number(process.argv[4] ?? 0);
const questionnaireId = "learner-profile";
const run = promisify(execFile);

const names = [
  "Lan",
  "Nguyễn Văn An",
  "陳怡君",
  "Sam O'Neil",
  'Minh "Mickey" Trần',
  "Smith, Jane",
  "=1+1",
  "林志明",
];
const levels = ["beginner", "intermediate", "advanced"];
const topics = [
  "lambda",
  "api-gateway",
  "dynamodb",
  "s3",
  "iam",
  "eventbridge",
  "messaging",
  "observability",
];
const languages = ["en", "vi", "zh-TW"];

/** Response `i`: deterministic, varied answers with a time stamp per answer, like the bot stores them. */
function response(i: number): QuestionnaireSubmission {
  const start = Date.UTC(2026, 10, 1) + i * 60_000;
  const at = (k: number) => new Date(start + k * 7_000).toISOString();
  const chosen = topics.filter((_, t) => (i + t) % 3 === 0).slice(0, 1 + (i % 4));
  return {
    userId: 100_000 + i,
    questionnaireId,
    questionnaireVersion: 2,
    runId: `${start.toString(36)}${i.toString(36)}`,
    answers: {
      name: names[i % names.length] as string,
      level: levels[i % levels.length] as string,
      topics: chosen.length > 0 ? chosen : ["lambda"],
      language: languages[i % languages.length] as string,
      "tip-hour": i % 24,
    },
    answeredAt: { name: at(1), level: at(2), topics: at(3), language: at(4), "tip-hour": at(5) },
    startedAt: at(0),
    submittedAt: at(6),
  };
}

/** Writes the responses with BatchWriteItem (25 per request, 8 in flight): the items `answers.save` writes. */
async function fill(dynamo: Awaited<ReturnType<typeof startDynalite>>): Promise<number> {
  const started = performance.now();
  const batches: QuestionnaireSubmission[][] = [];
  for (let i = 0; i < responses; i += 25)
    batches.push(Array.from({ length: Math.min(25, responses - i) }, (_, k) => response(i + k)));
  let next = 0;
  const writer = async () => {
    for (let batch = batches[next++]; batch; batch = batches[next++]) {
      let requests = batch.map((submission) => ({
        PutRequest: {
          Item: { ...submission, ...keys.answers(submission), ...responsesIndexAttributes(submission) },
        },
      }));
      while (requests.length > 0) {
        const { UnprocessedItems } = await dynamo.documentClient.send(
          new BatchWriteCommand({ RequestItems: { [dynamo.tableName]: requests } }),
        );
        requests = (UnprocessedItems?.[dynamo.tableName] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, writer));
  return performance.now() - started;
}

interface Measured {
  strategy: string;
  ms: number;
  /** CPU time of the export process (user + system): less sensitive to a busy machine than `ms`. */
  cpuMs: number;
  rows: number;
  bytes: number;
  /** Admin API calls the export took (x-next-cursor continuations + 1). */
  calls: number;
  rssBeforeMb: number;
  heapBeforeMb: number;
  peakRssMb: number;
  peakHeapMb: number;
}

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), "lambdagram-export-bench-"));
  const dynamo = await startDynalite();
  try {
    const fillMs = await fill(dynamo);
    const contentFile = path.join(work, "content.json");
    writeFileSync(contentFile, JSON.stringify(withoutExamples(loadContent())));
    const childFile = path.join(work, "export-child.js");
    await build({
      entryPoints: [path.join(__dirname, "export-child.ts")],
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      outfile: childFile,
      minify: true,
      logLevel: "error",
    });
    console.log(
      `${responses.toLocaleString("en")} responses written to dynalite in ${(fillMs / 1000).toFixed(1)} s; ` +
        `exporting ${runs}× per strategy (node ${process.version}${heapMb > 0 ? `, --max-old-space-size=${heapMb}` : ""})...`,
    );
    const results: Measured[][] = [];
    const failures: string[] = [];
    for (const strategy of ["baseline", "streamed"]) {
      const measured: Measured[] = [];
      for (let i = 0; i < runs; i++) {
        try {
          const { stdout, stderr } = await run(
            process.execPath,
            [
              ...(heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : []),
              childFile,
              strategy,
              dynamo.endpoint,
              dynamo.tableName,
              questionnaireId,
              contentFile,
            ],
            {
              maxBuffer: 1024 * 1024,
              env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
            },
          );
          measured.push(JSON.parse(stdout.trim().split("\n").at(-1) as string) as Measured);
          if (process.env.BENCH_DEBUG) console.error(stderr, stdout);
        } catch (error) {
          const stderr = String((error as { stderr?: string }).stderr ?? error);
          if (process.env.BENCH_DEBUG) console.error(stderr);
          const reason = /heap out of memory|Allocation failed/i.test(stderr)
            ? "out of memory"
            : stderr.slice(0, 300);
          failures.push(`${strategy}: ${reason}`);
          break;
        }
      }
      if (measured.length > 0) results.push(measured);
    }
    console.log(
      "\n| strategy | rows | CSV bytes | admin calls per run | time ms: median (runs) | CPU ms (median) | RSS before MB | peak RSS MB | heap before MB | peak heap MB |",
    );
    console.log("|---|---|---|---|---|---|---|---|---|---|");
    for (const measured of results) {
      const first = measured[0] as Measured;
      const median = [...measured].sort((a, b) => a.ms - b.ms)[Math.floor(measured.length / 2)] as Measured;
      const max = (pick: (m: Measured) => number) => Math.max(...measured.map(pick));
      const name =
        first.strategy === "baseline" ? "baseline: whole array first" : "streamed: admin API handler";
      console.log(
        `| ${name} | ${first.rows.toLocaleString("en")} | ${first.bytes.toLocaleString("en")} | ` +
          `${first.strategy === "baseline" ? "—" : measured.map((m) => m.calls).join(", ")} | ${median.ms} ` +
          `(${measured.map((m) => m.ms).join(", ")}) | ${[...measured].sort((a, b) => a.cpuMs - b.cpuMs)[Math.floor(measured.length / 2)]?.cpuMs} | ` +
          `${max((m) => m.rssBeforeMb)} | ${max((m) => m.peakRssMb)} | ${max((m) => m.heapBeforeMb)} | ` +
          `${max((m) => m.peakHeapMb)} |`,
      );
    }
    for (const failure of failures) console.log(`\nFAILED ${failure}`);
  } finally {
    await dynamo.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
