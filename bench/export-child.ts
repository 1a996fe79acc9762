/**
 * One export, measured in a process of its own (bench/export.ts bundles this file with esbuild and runs it with
 * plain `node`, once per strategy, so each gets a fresh heap and its own peak RSS):
 * - `streamed`: one call of the admin API handler (`GET /admin/questionnaires/{id}/responses`,
 *   `Accept: text/csv`) built by the Lambda's own builder: pages from DynamoDB, CSV rows appended per page;
 * - `baseline`: the naive way: every response into one array first (all pages), then the CSV from the array.
 * Prints one JSON line: wall time and this process's CPU time (dynalite's is not in it), rows, bytes, peak RSS (the kernel's), peak heap (sampled every 2 ms), and the RSS
 * before the export (a Lambda's memory includes it too).
 *
 *   node export-child.js <streamed|baseline> <endpoint> <table> <questionnaireId> <content.json>
 */

import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { csvBom, csvHeader, csvRow } from "../bot/questionnaire-results/csv";
import { buildAdminApiHandler } from "../bot/runtime/admin-api";
import { createServices } from "../bot/runtime/services";
import { createDynamoStorage } from "../bot/storage/dynamodb";
import { createDynamoClients } from "../bot/storage/dynamodb-client";
import type { QuestionnaireSubmission } from "../bot/storage/port";
import type { Content } from "../content/schema";
import { env } from "../contracts/runtime";

const [strategy, endpoint, tableName, questionnaireId, contentFile] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const token = "bench-admin-token";

async function main() {
  // The content as the Lambda bundle has it (content.json, without the intents' example phrases).
  const content = JSON.parse(readFileSync(contentFile, "utf8")) as Content;
  const questionnaire = content.questionnaires.find((q) => q.id === questionnaireId);
  if (!questionnaire) throw new Error(`no questionnaire ${questionnaireId}`);
  let run: () => Promise<{ rows: number; bytes: number }>;
  let calls = 1;
  if (strategy === "streamed") {
    const handler = await buildAdminApiHandler(
      createServices(
        {
          [env.adminApiToken]: token,
          [env.logLevel]: "silent",
          [env.tableName]: tableName,
          [env.dynamodbEndpoint]: endpoint,
          [env.broadcastQueueUrl]: "https://sqs.local/unused",
          AWS_REGION: "us-east-1",
        },
        { content },
      ),
    );
    // One call, as the Lambda serves it; a part that ran out of budget is continued by the next call, as a
    // client following x-next-cursor would (a warm container serves it).
    run = async () => {
      let rows = 0;
      let bytes = 0;
      let cursor: string | undefined;
      calls = 0;
      do {
        const result = await handler({
          routeKey: "GET /admin/questionnaires/{id}/responses",
          headers: { authorization: `Bearer ${token}`, accept: "text/csv" },
          pathParameters: { id: questionnaireId },
          ...(cursor ? { queryStringParameters: { cursor } } : {}),
        } as unknown as APIGatewayProxyEventV2);
        if (result.statusCode !== 200)
          throw new Error(`admin API answered ${result.statusCode}: ${result.body}`);
        const headers = (result.headers ?? {}) as Record<string, string>;
        rows += Number(headers["x-response-count"]);
        bytes += Buffer.byteLength(String(result.body));
        cursor = headers["x-next-cursor"];
        if (process.env.BENCH_DEBUG)
          console.error(`call ${calls + 1}: ${headers["x-response-count"]} rows`, new Date().toISOString());
        calls++;
      } while (cursor);
      return { rows, bytes };
    };
  } else if (strategy === "baseline") {
    const { documentClient } = createDynamoClients({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const { answers } = createDynamoStorage({ client: documentClient, tableName });
    run = async () => {
      const all: QuestionnaireSubmission[] = [];
      let cursor: string | undefined;
      do {
        const page = await answers.listResponses(questionnaireId, {
          limit: 1000,
          ...(cursor ? { cursor } : {}),
        });
        all.push(...page.items);
        cursor = page.cursor;
      } while (cursor);
      const csv = csvBom + csvHeader(questionnaire) + all.map((s) => csvRow(questionnaire, s)).join("");
      return { rows: all.length, bytes: Buffer.byteLength(csv) };
    };
  } else throw new Error(`unknown strategy ${strategy}`);

  const { rss: rssBefore, heapUsed: heapBefore } = process.memoryUsage();
  let peakHeap = heapBefore;
  let peakExternal = 0;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peakHeap = Math.max(peakHeap, usage.heapUsed);
    peakExternal = Math.max(peakExternal, usage.external);
  }, 2);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const { rows, bytes } = await run();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  // BENCH_REPEAT=n: the same export n more times in this process, as a warm Lambda container serves later calls.
  const peaks = [process.resourceUsage().maxRSS];
  for (let i = 0; i < Number(process.env.BENCH_REPEAT ?? 0); i++) {
    await run();
    peaks.push(process.resourceUsage().maxRSS);
  }
  if (peaks.length > 1)
    console.error(`peak RSS MB after each export: ${peaks.map((kb) => Math.round(kb / 1024)).join(", ")}`);
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const mb = (value: number) => Math.round((value / 1024 / 1024) * 10) / 10;
  console.log(
    JSON.stringify({
      strategy,
      ms: Math.round(ms),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      rows,
      bytes,
      calls,
      rssBeforeMb: mb(rssBefore),
      heapBeforeMb: mb(heapBefore),
      peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
      peakHeapMb: mb(peakHeap),
      peakExternalMb: mb(peakExternal),
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
