/**
 * Broadcast benchmark against the Telegram emulator enforcing Telegram's limits, through the real pieces:
 * admin API handler → job store → in-process SQS queue → C worker instances built by the worker handler
 * builder (each with its own limiter at R / C) → grammY's Api over HTTP → emulator.
 *
 * 1. Free: 3,000 recipients, bulk limit 30 messages/s, R = 29, job store and profiles on DynamoDB (dynalite).
 * 2. Paid: 20,000 recipients, `allow_paid_broadcast` limit 1,000 messages/s, R = 950, job store and profiles in
 *    memory (dynalite sustains ~200 claim+record pairs/s on this machine: it, not the code, would be measured).
 * Baseline in the same run: a naive sequential `for` loop with `await api.sendMessage` (same client, same
 * emulator limits), over a sample of the recipients.
 * The emulator and dynalite run in child processes (this file, with `--serve`), as Telegram and DynamoDB run on
 * other machines: sharing one event loop with the workers would bunch request arrivals and measure their CPU
 * too. Deliveries, 429s and duplicates are read from the emulator's control API (`/_emulator/calls`, `/stats`).
 *
 *   npx tsx bench/broadcast.ts [freeRecipients=3000] [paidRecipients=20000]
 *   (0 skips a mode; BENCH_DEBUG=1 also prints the deliveries of every second and every 429)
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import dynalite from "dynalite";
import { DynamoBroadcastStore } from "../bot/broadcast/store/dynamodb";
import { MemoryBroadcastStore } from "../bot/broadcast/store/memory";
import type { BroadcastStore } from "../bot/broadcast/store/port";
import { createJsonLogger } from "../bot/observability/logger";
import { MemoryTipStore } from "../bot/recommendations/store/memory";
import { buildAdminApiHandler } from "../bot/runtime/admin-api";
import { broadcastRatesFrom, bulkApiFrom } from "../bot/runtime/broadcast";
import { buildBroadcastWorkerHandler } from "../bot/runtime/broadcast-worker";
import { createServices } from "../bot/runtime/services";
import { DynamoUserStore } from "../bot/storage/dynamodb";
import { createMemoryStorage } from "../bot/storage/memory";
import type { UserStore } from "../bot/storage/port";
import { loadContent } from "../content/load";
import { env } from "../contracts/runtime";
import { type LocalDynamo, withTable } from "../local/dynalite";
import { InProcessJobQueue } from "../local/in-process-queue";
import {
  type CallRecord,
  type EmulatorStats,
  type RateLimits,
  TelegramEmulator,
} from "../local/telegram/emulator";

const freeRecipients = Number(process.argv[2] ?? 3000);
const paidRecipients = Number(process.argv[3] ?? 20000);
const token = "123456:BENCH";
const adminToken = "bench-admin-token";
const adminChat = 1;
const content = loadContent();
const silent = createJsonLogger({ level: "silent" });

interface ScenarioResult {
  name: string;
  recipients: number;
  limit: string;
  configured: string;
  wallSeconds: number;
  /** Sends per second between the 5th and 95th percentile send: ramp-up and last-batch tail excluded. */
  sustained: number;
  /** Sends per second from the first to the last send. */
  overall: number;
  tooManyTotal: number;
  tooManyAfterFirstSecond: number;
  duplicates: number;
  losses: number;
  progress: Record<string, unknown>;
  naive: { sample: number; delivered: number; tooMany: number; perSecond: number; attemptsPerSecond: number };
}

async function mapConcurrent<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

async function scenario(options: {
  name: string;
  recipients: number;
  paid: boolean;
  ratePerSecond: number;
  storage: "dynamodb" | "memory";
  naiveSample: number;
}): Promise<ScenarioResult> {
  const limits = options.paid
    ? { enabled: true, paidBroadcastPerSecond: 1000, bulkPerSecond: 30 }
    : { enabled: true, bulkPerSecond: 30 };
  process.stdout.write(`  ${options.name}: seeding ${options.recipients} users...`);
  const ids = Array.from({ length: options.recipients }, (_, i) => 10_000 + i);
  const emulator = await startEmulatorProcess({
    limits,
    userIds: [adminChat, ...ids],
    callLogLimit: options.recipients * 3 + 10_000,
  });
  const dynamo = options.storage === "dynamodb" ? await startDynaliteProcess() : undefined;
  const environment: Record<string, string> = {
    [env.botToken]: token,
    [env.adminApiToken]: adminToken,
    [env.telegramApiRoot]: emulator.apiRoot,
    [env.broadcastRatePerSecond]: String(options.ratePerSecond),
    ...(options.paid ? { [env.allowPaidBroadcast]: "true" } : {}),
    [env.logLevel]: "silent",
    ...(dynamo ? { [env.tableName]: dynamo.tableName, [env.dynamodbEndpoint]: dynamo.endpoint } : {}),
  };
  const rates = broadcastRatesFrom(environment);
  const users: UserStore = dynamo
    ? new DynamoUserStore({ client: dynamo.documentClient, tableName: dynamo.tableName })
    : createMemoryStorage().users;
  const store: BroadcastStore = dynamo
    ? new DynamoBroadcastStore({
        client: dynamo.documentClient,
        tableName: dynamo.tableName,
        queryCounters: true,
      })
    : new MemoryBroadcastStore();

  const now = new Date().toISOString();
  await mapConcurrent(ids, dynamo ? 16 : 1, async (userId) => {
    await users.createIfMissing({
      userId,
      chatId: userId,
      language: "en",
      createdAt: now,
      updatedAt: now,
      subscribed: true,
      blocked: false,
    });
  });
  process.stdout.write(" sending...");

  const queue = new InProcessJobQueue({ logger: silent });
  const workers = await Promise.all(
    Array.from({ length: rates.concurrency }, () =>
      buildBroadcastWorkerHandler(
        createServices(environment, {
          jobs: queue,
          content,
          ...(dynamo ? {} : { broadcasts: store, users, tips: new MemoryTipStore() }),
        }),
        { logger: silent },
      ),
    ),
  );
  queue.attach(workers);
  const admin = await buildAdminApiHandler(
    createServices(environment, { jobs: queue, ...(dynamo ? {} : { broadcasts: store }) }),
  );

  const started = performance.now();
  const answer = await admin({
    routeKey: "POST /admin/broadcasts",
    headers: { authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ text: "Benchmark broadcast", progressChatId: adminChat }),
    isBase64Encoded: false,
  } as never);
  const id = JSON.parse(String((answer as { body: string }).body)).id as string;
  await queue.idle(3_600_000);
  const wallSeconds = (performance.now() - started) / 1000;

  const calls = await emulator.calls();
  const sends = calls.filter(
    (call) => call.method === "sendMessage" && call.params.chat_id !== String(adminChat),
  );
  const delivered = sends.filter((call) => call.response?.ok).map((call) => call.time);
  delivered.sort((a, b) => a - b);
  const firstSend = delivered[0] ?? 0;
  const overall = (delivered.length - 1) / (((delivered.at(-1) ?? 0) - firstSend) / 1000);
  const p5 = Math.floor(delivered.length * 0.05);
  const p95 = Math.floor(delivered.length * 0.95);
  const sustained = (p95 - p5) / (((delivered[p95] ?? 0) - (delivered[p5] ?? 0)) / 1000);
  const tooManyCalls = calls.filter(
    (call) => call.response && !call.response.ok && call.response.error_code === 429,
  );
  const tooMany = tooManyCalls.map((call) => call.time);
  if (process.env.BENCH_DEBUG) {
    const perSecond = new Map<number, number>();
    for (const time of delivered)
      perSecond.set(
        Math.floor((time - firstSend) / 1000),
        (perSecond.get(Math.floor((time - firstSend) / 1000)) ?? 0) + 1,
      );
    console.log("\n  deliveries per second:", [...perSecond.values()].join(" "));
    console.log(
      "  429s:",
      tooManyCalls
        .map((call) => `${call.method}@${call.params.chat_id}+${call.time - firstSend}ms`)
        .join(" "),
    );
  }
  const sendsByChat = (await emulator.stats()).sendsByChat;
  const counts = ids.map((userId) => sendsByChat[String(userId)] ?? 0);
  const progressAnswer = await admin({
    routeKey: "GET /admin/broadcasts/{id}",
    headers: { authorization: `Bearer ${adminToken}` },
    pathParameters: { id },
  } as never);
  const progress = JSON.parse(String((progressAnswer as { body: string }).body));

  // Baseline: the loop everyone writes first, on the same client and the same limits, after a quiet second.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await emulator.resetStats();
  const api = bulkApiFrom(environment, token);
  const sample = ids.slice(0, options.naiveSample);
  let naiveDelivered = 0;
  let naiveTooMany = 0;
  const naiveStarted = performance.now();
  for (const chatId of sample) {
    try {
      await api.sendMessage(chatId, "Naive broadcast", options.paid ? { allow_paid_broadcast: true } : {});
      naiveDelivered += 1;
    } catch (error) {
      if ((error as { error_code?: number }).error_code === 429) naiveTooMany += 1;
    }
  }
  const naiveSeconds = (performance.now() - naiveStarted) / 1000;

  queue.stop();
  await emulator.stop();
  await dynamo?.stop();
  process.stdout.write(" done\n");
  return {
    name: options.name,
    recipients: options.recipients,
    limit: options.paid ? "1,000/s (paid)" : "30/s (free)",
    configured: `${rates.totalPerSecond}: ${rates.concurrency} × ${rates.perWorkerPerSecond.toFixed(1)}/s`,
    wallSeconds,
    sustained,
    overall,
    tooManyTotal: tooMany.length,
    tooManyAfterFirstSecond: tooMany.filter((time) => time > firstSend + 1000).length,
    duplicates: counts.filter((count) => count > 1).length,
    losses: counts.filter((count) => count === 0).length,
    progress,
    naive: {
      sample: sample.length,
      delivered: naiveDelivered,
      tooMany: naiveTooMany,
      perSecond: naiveDelivered / naiveSeconds,
      attemptsPerSecond: sample.length / naiveSeconds,
    },
  };
}

/** Runs this file as a child serving `kind`; resolves with what it printed first, and a way to stop it. */
async function startChild(kind: "emulator" | "dynalite", config: unknown) {
  const child = spawn(
    process.execPath,
    [...process.execArgv, __filename, "--serve", kind, JSON.stringify(config)],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout });
  const [first] = (await once(lines, "line")) as [string];
  return {
    address: JSON.parse(first) as { url: string },
    async stop() {
      child.stdin?.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

/** dynalite in a child process, with the table of contracts/table.ts. */
async function startDynaliteProcess(): Promise<LocalDynamo> {
  const child = await startChild("dynalite", {});
  return withTable(child.address.url, { tableName: "bench-broadcast" }, () => child.stop());
}

/** The emulator in a child process, driven through its control API. */
async function startEmulatorProcess(config: {
  limits: Partial<RateLimits>;
  userIds: number[];
  callLogLimit: number;
}) {
  const child = await startChild("emulator", config);
  const apiRoot = child.address.url;
  const control = async <T>(method: string, path: string): Promise<T> => {
    const answer = await fetch(`${apiRoot}/_emulator/${path}`, { method });
    if (!answer.ok) throw new Error(`emulator ${method} ${path}: ${answer.status} ${await answer.text()}`);
    return (await answer.json()) as T;
  };
  return {
    apiRoot,
    calls: async () => (await control<{ calls: CallRecord[] }>("GET", "calls")).calls,
    stats: () => control<EmulatorStats>("GET", "stats"),
    resetStats: () => control<EmulatorStats>("POST", "stats/reset"),
    stop: () => child.stop(),
  };
}

/** Child process: serve the emulator (with the users) or dynalite, print the address, stop when stdin closes. */
async function serve(
  kind: string,
  config: { limits: Partial<RateLimits>; userIds: number[]; callLogLimit: number },
) {
  let stop: () => Promise<void>;
  let url: string;
  if (kind === "emulator") {
    const emulator = new TelegramEmulator({
      token,
      limits: config.limits,
      callLogLimit: config.callLogLimit,
    });
    url = await emulator.start();
    for (const id of config.userIds) emulator.createUser({ id, first_name: `U${id}` });
    stop = () => emulator.stop();
  } else {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  }
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => {
    stop().finally(() => process.exit(0));
  });
}

async function main() {
  console.log(
    `Broadcast benchmark (Node ${process.version}, load average ${(await import("node:os")).loadavg()[0]?.toFixed(1)})`,
  );
  const results: ScenarioResult[] = [];
  if (freeRecipients > 0)
    results.push(
      await scenario({
        name: "free",
        recipients: freeRecipients,
        paid: false,
        ratePerSecond: 29,
        storage: "dynamodb",
        naiveSample: Math.min(600, freeRecipients),
      }),
    );
  if (paidRecipients > 0)
    results.push(
      await scenario({
        name: "paid",
        recipients: paidRecipients,
        paid: true,
        ratePerSecond: 950,
        storage: "memory",
        naiveSample: Math.min(3000, paidRecipients),
      }),
    );
  console.log(
    "\n| mode | recipients | emulator limit | configured R: C × R/C | job store | wall s | sustained msg/s (p5-p95) | first-to-last msg/s | 429s (after 1st s) | duplicates | losses | broadcast | naive loop: delivered/s (429s of sample) |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.recipients.toLocaleString("en")} | ${r.limit} | ${r.configured} | ${r.name === "free" ? "DynamoDB (dynalite)" : "in-memory"} | ${r.wallSeconds.toFixed(1)} | ${r.sustained.toFixed(1)} | ${r.overall.toFixed(1)} | ${r.tooManyTotal} (${r.tooManyAfterFirstSecond}) | ${r.duplicates} | ${r.losses} | ${r.progress.status}: ${r.progress.sent} sent of ${r.progress.total} | ${r.naive.perSecond.toFixed(1)} (${r.naive.tooMany} of ${r.naive.sample}; ${r.naive.attemptsPerSecond.toFixed(0)} attempts/s) |`,
    );
  }
  const free = results.find((r) => r.name === "free");
  const paid = results.find((r) => r.name === "paid");
  const checks = [
    ["free: sustained ≥ 28 msg/s", (free?.sustained ?? 0) >= 28],
    ["free: no 429 after the first second", free?.tooManyAfterFirstSecond === 0],
    ["paid: sustained ≥ 900 msg/s", (paid?.sustained ?? 0) >= 900],
    ["no duplicates, no losses", results.every((r) => r.duplicates === 0 && r.losses === 0)],
  ] as const;
  console.log("");
  for (const [label, ok] of checks) console.log(`${ok ? "met" : "NOT met"}: ${label}`);
}

(process.argv[2] === "--serve"
  ? serve(process.argv[3] ?? "", JSON.parse(process.argv[4] ?? "{}"))
  : main()
).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
