/**
 * Local stack benchmark:
 * 1. time from `npm start` (the real command, with its prestart step) to ready (it prints that it is
 *    running), over several starts with a fresh data folder each; target under 2 s. One start before the
 *    measured ones brings the start bundle and the NLP model up to date, as after any first start;
 * 2. a chat round trip — a user's message into the emulator, delivered to the webhook over HTTP with the
 *    secret, handled against dynalite, the reply back at the emulator — p50/p99.
 * Baseline in the same run: the same messages handed straight to the webhook handler function (no HTTP,
 * no emulator), which shows what the local plumbing adds.
 *
 *   npx tsx bench/local.ts [starts=5] [messages=300]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { env } from "../contracts/runtime";
import { startLocalStack } from "../local/stack";

const starts = Number(process.argv[2] ?? 5);
const messages = Number(process.argv[3] ?? 300);
const root = join(__dirname, "..");

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Starts `local/start.ts` as `npm start` does and resolves when it prints that it is running. */
async function timeToReady(port: number): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), "lambdagram-bench-"));
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [join(root, "node_modules", "tsx", "dist", "cli.mjs"), join(root, "local", "start.ts")],
    {
      cwd: root,
      env: { ...process.env, PORT: String(port), LAMBDAGRAM_DATA_DIR: dataDir, LOG_LEVEL: "error" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the stack did not become ready in 30 s")), 30_000);
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("is running locally")) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      });
      child.stderr.resume();
      child.once("exit", (code) => reject(new Error(`npm start exited with ${code}: ${output}`)));
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      try {
        process.kill(-(child.pid ?? 0), "SIGINT"); // npm and the stack it started
      } catch {
        child.kill("SIGINT");
      }
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  await timeToReady(18699); // brings .lambdagram/start.cjs and the NLP model up to date; not measured
  const readiness: number[] = [];
  for (let i = 0; i < starts; i++) readiness.push(await timeToReady(18700 + i));
  readiness.sort((a, b) => a - b);

  const stack = await startLocalStack({
    port: 0,
    dataDir: null,
    runSchedule: false,
    logLevel: "silent",
    defaultMode: "rules",
  });
  const emulator = stack.emulator;
  if (!emulator) throw new Error("expected the built-in emulator");
  const phrases = [
    "/help",
    "What is the maximum timeout for a Lambda function?",
    "hello",
    "how much memory can lambda use",
    "thanks",
  ];
  const roundTrips: number[] = [];
  const direct: number[] = [];
  try {
    const user = emulator.createUser({ first_name: "Bench", language_code: "en" });
    for (let i = 0; i < messages; i++) {
      const before = emulator.sendCount(user.id);
      const t0 = performance.now();
      emulator.sendText(user.id, phrases[i % phrases.length] ?? "hi");
      await emulator.idle({ timeoutMs: 10_000 });
      roundTrips.push(performance.now() - t0);
      if (emulator.sendCount(user.id) <= before) throw new Error("no reply arrived");
    }
    // Baseline: the same webhook, invoked directly (what Lambda does), skipping HTTP and the emulator.
    for (let i = 0; i < messages; i++) {
      const body = JSON.stringify({
        update_id: 10_000_000 + i,
        message: {
          message_id: i,
          date: 0,
          chat: { id: user.id, type: "private" },
          from: { id: user.id, is_bot: false, first_name: "Bench" },
          text: phrases[i % phrases.length],
        },
      });
      const t0 = performance.now();
      const response = await fetch(`${stack.url}/telegram/webhook`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-telegram-bot-api-secret-token": stack.environment[env.webhookSecret] ?? "",
        },
        body,
      });
      if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
      direct.push(performance.now() - t0);
    }
  } finally {
    await stack.stop();
  }
  roundTrips.sort((a, b) => a - b);
  direct.sort((a, b) => a - b);
  console.log(`Local stack benchmark, Node ${process.version}`);
  console.table([
    {
      measure: `npm start → ready (${starts} starts)`,
      p50: +percentile(readiness, 50).toFixed(0),
      p99: +percentile(readiness, 99).toFixed(0),
      unit: "ms",
    },
    {
      measure: `chat round trip via emulator → webhook → dynalite → emulator (${messages} msgs)`,
      p50: +percentile(roundTrips, 50).toFixed(2),
      p99: +percentile(roundTrips, 99).toFixed(2),
      unit: "ms",
    },
    {
      measure: "baseline: POST /telegram/webhook directly (reply still sent to the emulator)",
      p50: +percentile(direct, 50).toFixed(2),
      p99: +percentile(direct, 99).toFixed(2),
      unit: "ms",
    },
  ]);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
