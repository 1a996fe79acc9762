/**
 * Cold-start benchmark of the deployable artefacts.
 *
 * 1. Bundle size per function, as `npm run build` produces it (target: webhook < 1 MB minified, model excluded).
 * 2. Cold start of the webhook: a fresh Node process with the Lambda environment loads the bundle and
 *    answers its first update (a new user's /start) against dynalite and a loopback Bot API; p50 of N runs.
 *    Target: p50 under 200 ms. Baseline in the same run, interleaved run by run: the same handler with its
 *    dependencies loaded from node_modules (esbuild `packages: "external"`, like a zip of node_modules).
 *    With `--baseline DIR` (a checkout of another commit, e.g. `git worktree add /tmp/base 71a2f00` with
 *    node_modules), that commit's webhook is built with its own scripts/build.ts and measured in the same loop.
 *    References in the same loop: Node's own start-up, and Node loading the AWS SDK v3 DynamoDB document
 *    client from node_modules, unbundled.
 *
 * On Lambda the runtime's own start (~100-150 ms before our code) is not measured here; `wall` is spawn to
 * answer, which includes Node's own start-up (~40 ms) like Lambda's INIT does.
 *
 *   npx tsx bench/coldstart.ts [--runs 10] [--baseline DIR] [--record] [--profile DIR]
 *   (--record writes the results into docs/benchmarks.md; --profile writes a V8 CPU profile per child)
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import * as path from "node:path";
import { env as envNames, functions } from "../contracts/runtime";
import { startDynalite } from "../local/dynalite";
import { type BuiltBundle, buildBundles, formatBytes } from "../scripts/build";

const root = path.join(__dirname, "..");
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1] || 10) || 10;
const record = args.includes("--record");
/** `--profile DIR`: every child writes a V8 CPU profile there (open in Chrome DevTools or speedscope). */
const profileDirectory = args.includes("--profile")
  ? path.resolve(args[args.indexOf("--profile") + 1] ?? "")
  : "";
/** `--baseline DIR`: another checkout whose webhook is built and measured beside ours. */
const baselineDirectory = args.includes("--baseline")
  ? path.resolve(args[args.indexOf("--baseline") + 1] ?? "")
  : "";
const targets = { webhookBundleBytes: 1024 * 1024, coldStartP50Ms: 200 };

/** One cold start, as measured inside the child (performance.now() counts from process start). */
interface ColdStart {
  /** Spawn to the answer printed, measured by the parent. */
  wallMs: number;
  /** Process start to the bundle loaded (`require`). */
  loadMs: number;
  /** The first invocation: reading config, building the bot, handling the update, storage, Bot API calls. */
  firstInvokeMs: number;
  statusCode: number;
}

interface Variant {
  name: string;
  bundle: BuiltBundle;
  nodePath: string;
  /** What the new user sends (default `/start`, answered by the rule tier). */
  text?: string;
  /** Lambda environment overrides (e.g. the NLP tier as the default). */
  environment?: NodeJS.ProcessEnv;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** A Bot API that answers everything instantly and counts sendMessage calls. */
async function startFakeTelegram(): Promise<{
  apiRoot: string;
  sent: () => number;
  stop: () => Promise<void>;
}> {
  let sent = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      const method = request.url?.split("/").pop() ?? "";
      if (method === "sendMessage") sent += 1;
      response.setHeader("content-type", "application/json");
      const result =
        method === "sendMessage" ? { message_id: sent, date: 0, chat: { id: 0, type: "private" } } : true;
      response.end(JSON.stringify({ ok: true, result }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    apiRoot: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent: () => sent,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The child: load the bundle like the Lambda runtime does, invoke once, report, exit. */
const childScript = `
const bundle = process.argv[1];
const event = JSON.parse(process.argv[2]);
const mod = require(bundle);
const loaded = performance.now();
mod.handler(event, { functionName: "lambdagram-webhook", awsRequestId: "bench" }).then((result) => {
  const done = performance.now();
  process.stdout.write("COLDSTART " + JSON.stringify({ loadMs: loaded, firstInvokeMs: done - loaded, statusCode: result.statusCode }) + "\\n");
  if (process.env.COLDSTART_DEBUG) console.error("sent", JSON.stringify(result));
  process.exit(0);
}, (error) => { console.error(error); process.exit(1); });
`;

function webhookEvent(updateId: number, userId: number, secret: string, text = "/start"): object {
  const update = {
    update_id: updateId,
    message: {
      message_id: 1,
      date: Math.floor(Date.now() / 1000),
      chat: { id: userId, type: "private", first_name: "Bench" },
      from: { id: userId, is_bot: false, first_name: "Bench", language_code: "en" },
      text,
      ...(text.startsWith("/")
        ? { entities: [{ type: "bot_command", offset: 0, length: text.length }] }
        : {}),
    },
  };
  return {
    version: "2.0",
    routeKey: "POST /telegram/webhook",
    rawPath: "/telegram/webhook",
    rawQueryString: "",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
    requestContext: {
      http: {
        method: "POST",
        path: "/telegram/webhook",
        protocol: "HTTP/1.1",
        sourceIp: "91.108.6.1",
        userAgent: "",
      },
      requestId: `bench-${updateId}`,
      routeKey: "POST /telegram/webhook",
      stage: "$default",
    },
    body: JSON.stringify(update),
    isBase64Encoded: false,
  };
}

/** References measured in the same loop: Node's own start-up, and loading the SDK's DynamoDB clients unbundled. */
const references = {
  "Node start-up alone": "",
  "Node + AWS SDK v3 DynamoDB document client, not used":
    'require("@aws-sdk/client-dynamodb"); require("@aws-sdk/lib-dynamodb");',
} as const;

function referenceStart(code: string, nodePath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      ["-e", `${code} process.stdout.write("COLDSTART\\n"); process.exit(0);`],
      {
        env: { PATH: process.env.PATH, NODE_PATH: nodePath },
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    child.stdout.on("data", () => resolve(performance.now() - started));
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`reference start failed (exit ${code})`));
    });
  });
}

function coldStart(variant: Variant, environment: NodeJS.ProcessEnv, event: object): Promise<ColdStart> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        ...(profileDirectory ? ["--cpu-prof", "--cpu-prof-dir", profileDirectory] : []),
        "-e",
        childScript,
        variant.bundle.outfile,
        JSON.stringify(event),
      ],
      {
        cwd: path.dirname(variant.bundle.outfile),
        env: { ...environment, NODE_PATH: variant.nodePath },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      // The handler's own log lines share stdout; ours is the one with the marker.
      const line = stdout
        .split("\n")
        .find((candidate) => candidate.startsWith("COLDSTART ") && stdout.includes(`${candidate}\n`));
      if (line)
        resolve({ wallMs: performance.now() - started, ...JSON.parse(line.slice("COLDSTART ".length)) });
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    if (environment.COLDSTART_DEBUG) child.on("exit", () => console.log(stdout, stderr));
    child.on("exit", (code) => {
      if (code !== 0)
        reject(new Error(`${variant.name} cold start failed (exit ${code}):\n${stderr.slice(-2000)}`));
    });
  });
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), "lambdagram-coldstart-"));
  // The bundles must not reach for node_modules: they run with an empty module path, as on Lambda.
  const emptyModules = path.join(work, "empty", "node_modules");
  mkdirSync(emptyModules, { recursive: true });
  const rootModules = path.join(root, "node_modules");

  console.log("Building bundles (npm run build settings)...");
  const all = await buildBundles({ outDir: path.join(work, "bundled") });
  const baselineBuild = await buildBundles({
    outDir: path.join(work, "node_modules-baseline"),
    only: ["webhook"],
    minify: false,
    dependencies: "node_modules",
  });
  const commitBuild = baselineDirectory ? await buildBaselineCommit(baselineDirectory, work) : undefined;
  const bundled = all.built.find((bundle) => bundle.name === "webhook");
  const baseline = baselineBuild.built[0];
  if (!bundled || !baseline) throw new Error(`No webhook bundle: ${functions.webhook.entry} is missing.`);

  const sizeRows = Object.keys(functions).map((name) => {
    const built = all.built.find((bundle) => bundle.name === name);
    return built
      ? `| ${name} | ${formatBytes(built.bytes)} | ${formatBytes(built.sourceMapBytes)} | ${built.modelBytes === undefined ? "-" : formatBytes(built.modelBytes)} |`
      : `| ${name} | not built (${functions[name as keyof typeof functions].entry} missing) | | |`;
  });

  const dynamo = await startDynalite({ tableName: "lambdagram-coldstart" });
  const telegram = await startFakeTelegram();
  const secret = "bench-secret-token";
  const environment: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_REGION: "us-east-1",
    AWS_LAMBDA_FUNCTION_NAME: "lambdagram-webhook",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    [envNames.tableName]: dynamo.tableName,
    [envNames.dynamodbEndpoint]: dynamo.endpoint,
    [envNames.botToken]: "4242:COLDSTART",
    [envNames.webhookSecret]: secret,
    [envNames.botInfo]: JSON.stringify({
      id: 4242,
      is_bot: true,
      first_name: "Bench",
      username: "bench_bot",
    }),
    [envNames.telegramApiRoot]: telegram.apiRoot,
    [envNames.defaultMode]: "rules",
    [envNames.adminUserIds]: "1",
    [envNames.logLevel]: process.env.COLDSTART_DEBUG ? "debug" : "error",
    ...(process.env.COLDSTART_DEBUG ? { COLDSTART_DEBUG: "1" } : {}),
  };
  const ours: Variant = { name: "bundled (esbuild, minified)", bundle: bundled, nodePath: emptyModules };
  const unbundled: Variant = { name: "baseline: node_modules", bundle: baseline, nodePath: rootModules };
  // The same bundle with the NLP tier as the default and a free-text first message: the classifier's model
  // (model.json, read on first use) is parsed inside this cold start.
  const nlpFirst: Variant = {
    ...ours,
    name: "bundled, NLP tier: free text classified",
    text: "hey, what sort of things can you help me with?",
    environment: { [envNames.defaultMode]: "nlp" },
  };
  const variants = bundled.modelBytes === undefined ? [ours, unbundled] : [ours, unbundled, nlpFirst];
  if (commitBuild)
    variants.splice(1, 0, {
      name: `baseline: commit ${commitBuild.commit}, bundled`,
      bundle: commitBuild.bundle,
      nodePath: emptyModules,
    });

  const results = new Map<string, ColdStart[]>(variants.map((variant) => [variant.name, []]));
  const referenceWalls = new Map<string, number[]>(Object.keys(references).map((name) => [name, []]));
  let updateId = 1;
  try {
    // Warm the OS file cache once per variant, then interleave so machine noise hits both alike.
    for (const variant of variants)
      await coldStart(
        variant,
        { ...environment, ...variant.environment },
        webhookEvent(updateId++, 900_000 + updateId, secret, variant.text),
      );
    for (let run = 0; run < runs; run++) {
      for (const [name, code] of Object.entries(references)) {
        referenceWalls.get(name)?.push(await referenceStart(code, rootModules));
      }
      for (const variant of variants) {
        const sentBefore = telegram.sent();
        const result = await coldStart(
          variant,
          { ...environment, ...variant.environment },
          webhookEvent(updateId++, 1_000_000 + updateId, secret, variant.text),
        );
        // grammY answers 200 even when a reply fails; only a sendMessage at the Bot API proves the answer.
        if (result.statusCode !== 200 || telegram.sent() === sentBefore) {
          throw new Error(
            `${variant.name}: the first update was not answered (HTTP ${result.statusCode}, no sendMessage).`,
          );
        }
        results.get(variant.name)?.push(result);
      }
    }
  } finally {
    await telegram.stop();
    await dynamo.stop();
  }

  const p50 = (name: string, key: keyof ColdStart) =>
    median((results.get(name) ?? []).map((result) => result[key]));
  const coldRows = variants.map(
    (variant) =>
      `| ${variant.name} | ${formatBytes(variant.bundle.bytes)} | ${p50(variant.name, "loadMs").toFixed(0)} | ${p50(variant.name, "firstInvokeMs").toFixed(0)} | ${p50(variant.name, "wallMs").toFixed(0)} |`,
  );
  const referenceRows = Object.keys(references).map(
    (name) => `| ${name} (reference) | | | | ${median(referenceWalls.get(name) ?? []).toFixed(0)} |`,
  );
  const bundledWall = p50(ours.name, "wallMs");
  const baselineWall = p50(unbundled.name, "wallMs");
  const nodeAlone = median(referenceWalls.get("Node start-up alone") ?? []);
  const sdkAlone = median(referenceWalls.get(Object.keys(references)[1] ?? "") ?? []);
  const report = [
    `Measured ${new Date().toISOString().slice(0, 10)} on Node ${process.version} (${process.platform}/${process.arch}, load average ${loadavg()[0]?.toFixed(1)} during the run), ${runs} runs per variant, p50.`,
    "",
    "Bundle size per function (`npm run build`: minified CommonJS, every dependency inlined):",
    "",
    "| function | index.js | source map | model.json |",
    "| --- | --- | --- | --- |",
    ...sizeRows,
    "",
    `Webhook bundle target < 1 MB without the model: ${bundled.bytes < targets.webhookBundleBytes ? "met" : "NOT met"} (${bundled.bytes} bytes).`,
    `Largest inputs of the webhook bundle: ${bundled.largestInputs.map((input) => `${input.input} ${formatBytes(input.bytes)}`).join(", ")}.`,
    "",
    "Cold start of the webhook: fresh Node process with the Lambda environment, load the handler, answer a new user's",
    "/start (DynamoDB on dynalite, Bot API on loopback). `load` = process start to `require` done; `first update` =",
    "building the bot and handling the update; `wall` = spawn to answer, including Node's own start-up.",
    "",
    "| variant | code size | load (ms) | first update (ms) | wall (ms) |",
    "| --- | --- | --- | --- | --- |",
    ...coldRows,
    ...referenceRows,
    "",
    `Our share of the bundled cold start (wall minus Node's own start-up): ${(bundledWall - nodeAlone).toFixed(0)} ms, the whole handler; for scale, loading only the SDK v3 DynamoDB document client from node_modules takes ${(sdkAlone - nodeAlone).toFixed(0)} ms.`,
    `Target p50 < ${targets.coldStartP50Ms} ms (wall): ${bundledWall < targets.coldStartP50Ms ? "met" : "NOT met"}; bundling saves ${(baselineWall - bundledWall).toFixed(0)} ms (${((1 - bundledWall / baselineWall) * 100).toFixed(0)}%) against node_modules.`,
    ...(commitBuild
      ? [
          `Against commit ${commitBuild.commit} (${baselineDirectory}), same run: ${p50(`baseline: commit ${commitBuild.commit}, bundled`, "wallMs").toFixed(0)} ms wall, ${formatBytes(commitBuild.bundle.bytes)}; this checkout ${bundledWall.toFixed(0)} ms, ${formatBytes(bundled.bytes)}.`,
        ]
      : []),
    "Every run answered its update (a sendMessage reached the Bot API).",
  ].join("\n");
  console.log(`\n${report}`);

  if (record) recordInBenchmarks(report);
  rmSync(work, { recursive: true, force: true });
}

/**
 * Builds the webhook of another checkout with that checkout's own scripts/build.ts (its node_modules, its
 * content), so a commit before a change is measured in the same run as the change.
 */
async function buildBaselineCommit(
  directory: string,
  work: string,
): Promise<{ commit: string; bundle: BuiltBundle }> {
  const theirs = (await import(
    path.join(directory, "scripts/build.ts")
  )) as typeof import("../scripts/build");
  const result = await theirs.buildBundles({
    root: directory,
    outDir: path.join(work, "baseline-commit"),
    only: ["webhook"],
  });
  const bundle = result.built[0];
  if (!bundle) throw new Error(`${directory} has no webhook entry to build`);
  const commit = execFileSync("git", ["-C", directory, "rev-parse", "--short", "HEAD"]).toString().trim();
  return { commit, bundle };
}

/** Writes the report between markers in docs/benchmarks.md, leaving other sections as they are. */
function recordInBenchmarks(report: string): void {
  const file = path.join(root, "docs/benchmarks.md");
  const start = "<!-- coldstart:start -->";
  const end = "<!-- coldstart:end -->";
  const section = `${start}\n## Cold start and bundle size (bench/coldstart.ts)\n\n${report}\n${end}`;
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const next =
    current.includes(start) && current.includes(end)
      ? current.replace(new RegExp(`${start}[\\s\\S]*?${end}`), section)
      : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  console.log(`Recorded in ${path.relative(root, file)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
