/**
 * The build output the Pulumi program uploads: each handler named in contracts/runtime.ts whose entry file
 * exists is bundled to <name>/index.js, exports the handler the infra points at, and loads in a fresh Node
 * process with an empty module path: everything, the AWS client code included, is inside the bundle.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { loadBundledContent, loadBundledRules } from "../../bot/runtime/environment";
import { loadContent } from "../../content/load";
import { env, type FunctionName, functions } from "../../contracts/runtime";
import { startDynalite } from "../../local/dynalite";
import {
  type BuildResult,
  buildBundles,
  bundledContentName,
  describeBuild,
  MissingModelError,
  requireModel,
} from "../../scripts/build";
import { startAwsJsonEndpoint, testCredentials, testRegion } from "../helpers/aws-json-endpoint";

const root = path.join(__dirname, "../..");
const outDir = mkdtempSync(path.join(tmpdir(), "lambdagram-bundles-"));
/** An empty module path: a bundle that still needs a package from node_modules fails to load. */
const runtimeModules = mkdtempSync(path.join(tmpdir(), "lambdagram-runtime-"));
let result: BuildResult;

/** Loads a bundle in a fresh Node process with a Lambda-like environment; returns `typeof exports.<name>`. */
function loadInFreshProcess(bundleDir: string, exportName: string): string {
  return execFileSync(
    process.execPath,
    [
      "-e",
      `process.stdout.write(typeof require(${JSON.stringify(path.join(bundleDir, "index.js"))}).${exportName})`,
    ],
    {
      cwd: bundleDir,
      env: {
        PATH: process.env.PATH,
        NODE_PATH: path.join(runtimeModules, "node_modules"),
        AWS_REGION: "us-east-1",
        AWS_LAMBDA_FUNCTION_NAME: "lambdagram-test",
        TABLE_NAME: "lambdagram-test",
      },
      encoding: "utf8",
      timeout: 10_000,
    },
  );
}

beforeAll(async () => {
  mkdirSync(path.join(runtimeModules, "node_modules"));
  result = await buildBundles({ outDir, loadContent: () => ({ stub: "content pack" }) });
  // The report `npm run build` prints, so a missing handler is visible in the test output.
  console.log(`Bundles built into ${outDir}:\n${describeBuild(result)}`);
}, 60_000);
afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  rmSync(runtimeModules, { recursive: true, force: true });
});

test("every contract function is either built or reported missing with its entry file", () => {
  const accounted = [
    ...result.built.map((bundle) => bundle.name),
    ...result.missing.map((missing) => missing.name),
  ].sort();
  expect(accounted).toEqual(Object.keys(functions).sort());
  for (const missing of result.missing) expect(existsSync(path.join(root, missing.entry))).toBe(false);
});

test("the webhook handler is built whenever bot/handlers/webhook.ts exists", () => {
  expect(existsSync(path.join(root, functions.webhook.entry))).toBe(true);
  expect(result.built.map((bundle) => bundle.name)).toContain("webhook");
});

test("each built bundle exports the handler the infra points at, loading with no node_modules at all", () => {
  for (const bundle of result.built) {
    const [file, exportName] = functions[bundle.name].handler.split(".") as [string, string];
    expect(path.basename(bundle.outfile)).toBe(`${file}.js`);
    expect({
      bundle: bundle.name,
      type: loadInFreshProcess(path.dirname(bundle.outfile), exportName),
    }).toEqual({
      bundle: bundle.name,
      type: "function",
    });
  }
});

test("bundles are minified CommonJS with a source map, the AWS SDK inside", () => {
  for (const bundle of result.built) {
    const code = readFileSync(bundle.outfile, "utf8");
    const lines = code.split("\n");
    expect({ bundle: bundle.name, minified: code.length / lines.length > 500 }).toEqual({
      bundle: bundle.name,
      minified: true,
    });
    expect(lines.at(-1) || lines.at(-2)).toBe("//# sourceMappingURL=index.js.map");
    expect(bundle.sourceMapBytes).toBeGreaterThan(0);
  }
});

test("stack traces from a bundle name the TypeScript sources, without --enable-source-maps", () => {
  const webhook = result.built.find((bundle) => bundle.name === ("webhook" satisfies FunctionName));
  if (!webhook) throw new Error("webhook bundle not built");
  // No bot token configured: the first invocation fails at cold start, as a misconfigured deployment would.
  const script = `require(${JSON.stringify(webhook.outfile)}).handler({}).catch((error) => process.stdout.write(error.stack))`;
  const stack = execFileSync(process.execPath, ["-e", script], {
    cwd: path.dirname(webhook.outfile),
    env: { PATH: process.env.PATH, AWS_REGION: "us-east-1", AWS_LAMBDA_FUNCTION_NAME: "lambdagram-test" },
    encoding: "utf8",
    timeout: 10_000,
  });
  expect(stack).toMatch(/^MissingConfigurationError: Missing environment variable/);
  expect(stack).toMatch(/bot\/runtime\/environment\.ts:\d+:\d+/);
});

test("the content pack is written next to every bundle", () => {
  for (const bundle of result.built) {
    const written = JSON.parse(
      readFileSync(path.join(path.dirname(bundle.outfile), bundledContentName), "utf8"),
    );
    expect(written).toEqual({ stub: "content pack" });
  }
});

test("a build without the trained model is refused, unless a rules-only bot is asked for", () => {
  const withoutModel: BuildResult = { built: [], missing: [], modelMissing: true };
  expect(() => requireModel(withoutModel, [])).toThrow(MissingModelError);
  expect(() => requireModel(withoutModel, [])).toThrow(/npm run nlp:train.*--without-nlp/);
  expect(() => requireModel(withoutModel, ["--without-nlp"])).not.toThrow();
  expect(() => requireModel({ ...withoutModel, modelMissing: false }, [])).not.toThrow();
});

test("the webhook bundle stays small (natural bundled whole would add 10 MB)", () => {
  // The 1 MB target is measured and recorded by bench/coldstart.ts; this guards against regressions.
  const webhook = result.built.find((bundle) => bundle.name === ("webhook" satisfies FunctionName));
  expect(webhook?.bytes).toBeLessThan(2 * 1024 * 1024);
});

test("the minified webhook bundle answers an update: storage and Bot API calls work after bundling", async () => {
  // Built with the real content pack, run in a fresh process with nothing outside the bundle.
  const built = await buildBundles({ outDir: path.join(outDir, "with-content"), only: ["webhook"] });
  const bundle = built.built[0];
  if (!bundle) throw new Error("webhook bundle not built");
  const calls: string[] = [];
  const telegram = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      calls.push(request.url?.split("/").pop() ?? "");
      response.setHeader("content-type", "application/json");
      response.end(
        JSON.stringify({ ok: true, result: { message_id: 1, date: 0, chat: { id: 5, type: "private" } } }),
      );
    });
  });
  await new Promise<void>((resolve) => telegram.listen(0, "127.0.0.1", resolve));
  const dynamo = await startDynalite({ tableName: "lambdagram-bundle-test" });
  try {
    const update = {
      update_id: 1,
      message: {
        message_id: 1,
        date: 1_700_000_000,
        chat: { id: 5, type: "private", first_name: "T" },
        from: { id: 5, is_bot: false, first_name: "T", language_code: "en" },
        text: "/start",
        entities: [{ type: "bot_command", offset: 0, length: 6 }],
      },
    };
    const event = {
      version: "2.0",
      rawPath: "/telegram/webhook",
      headers: { "x-telegram-bot-api-secret-token": "test-secret" },
      requestContext: { http: { method: "POST", path: "/telegram/webhook", sourceIp: "127.0.0.1" } },
      body: JSON.stringify(update),
      isBase64Encoded: false,
    };
    const script = `require(${JSON.stringify(bundle.outfile)}).handler(${JSON.stringify(event)}).then((r) => { process.stdout.write("RESULT " + JSON.stringify(r)); process.exit(0); })`;
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ["-e", script],
        {
          cwd: path.dirname(bundle.outfile),
          timeout: 15_000,
          env: {
            PATH: process.env.PATH,
            NODE_PATH: path.join(runtimeModules, "node_modules"),
            AWS_REGION: "us-east-1",
            [env.tableName]: dynamo.tableName,
            [env.dynamodbEndpoint]: dynamo.endpoint,
            [env.botToken]: "5555:BUNDLE-TEST",
            [env.webhookSecret]: "test-secret",
            [env.botInfo]: JSON.stringify({ id: 5555, is_bot: true, first_name: "T", username: "t_bot" }),
            [env.telegramApiRoot]: `http://127.0.0.1:${(telegram.address() as AddressInfo).port}`,
            [env.logLevel]: "error",
          },
        },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      ),
    );
    expect(JSON.parse(stdout.slice(stdout.indexOf("RESULT ") + 7))).toEqual({ statusCode: 200 });
    // The phrases live in rules.json (and the model), not in content.json: the rule tier still knows them.
    const dir = path.dirname(bundle.outfile);
    const bundledContent = loadBundledContent(dir);
    expect(bundledContent.intents.every((intent) => Object.keys(intent.examples).length === 0)).toBe(true);
    expect(bundledContent.outOfScope).toBeUndefined();
    const source = loadContent();
    const firstIntent = source.intents[0];
    const phrase = firstIntent?.examples.en?.[0] ?? "";
    expect(loadBundledRules(dir).classify(phrase, "en")).toEqual({
      decision: "exact",
      candidates: [{ intent: firstIntent?.id, confidence: 1 }],
    });
    expect(calls).toContain("sendMessage");
    // A failed Bot API call is logged at error level by the handler; none may appear.
    expect(stdout).not.toMatch(/"level":"error"/);
  } finally {
    telegram.closeAllConnections();
    await new Promise<void>((resolve) => telegram.close(() => resolve()));
    await dynamo.stop();
  }
}, 30_000);

/** Runs `script` in a fresh Node process next to a bundle (an empty module path) and returns its output. */
function runNextTo(bundleDir: string, script: string, environment: Record<string, string>): Promise<string> {
  return new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      ["-e", script],
      {
        cwd: bundleDir,
        timeout: 15_000,
        env: { PATH: process.env.PATH, NODE_PATH: path.join(runtimeModules, "node_modules"), ...environment },
      },
      (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
    ),
  );
}

test("the SSM client is a file of its own next to the bundle, loaded only when a secret is an SSM parameter", async () => {
  const webhook = result.built.find((bundle) => bundle.name === ("webhook" satisfies FunctionName));
  if (!webhook) throw new Error("webhook bundle not built");
  const dir = path.dirname(webhook.outfile);
  expect(existsSync(path.join(dir, "aws-ssm.js"))).toBe(true);
  // SSM's service name (its JSON protocol target prefix) is in the SSM file only.
  expect(readFileSync(path.join(dir, "aws-ssm.js"), "utf8")).toContain("AmazonSSM");
  expect(readFileSync(webhook.outfile, "utf8")).not.toContain("AmazonSSM");
  const ssm = await startAwsJsonEndpoint({
    service: "ssm",
    responder: () => ({
      body: { Parameters: [{ Name: "/t/bot-token", Value: "5555:FROM-SSM" }], InvalidParameters: [] },
    }),
  });
  // The first invocation reads the secrets (and then stops at the stub content); which files were loaded?
  const script = `const mod = require("./index.js"); mod.handler({}).catch(() => {}).finally(() => process.stdout.write(JSON.stringify(Object.keys(require.cache).map((file) => require("path").basename(file)))))`;
  const lambda = {
    AWS_REGION: testRegion,
    AWS_LAMBDA_FUNCTION_NAME: "lambdagram-test",
    AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
    [env.tableName]: "lambdagram-test",
    [env.webhookSecret]: "plain-secret",
    [env.logLevel]: "silent",
  };
  try {
    const fromSsm = JSON.parse(
      await runNextTo(dir, script, {
        ...lambda,
        AWS_ENDPOINT_URL_SSM: ssm.url,
        [env.botTokenParameter]: "/t/bot-token",
      }),
    ) as string[];
    expect(fromSsm).toContain("aws-ssm.js");
    expect(ssm.requests).toHaveLength(1);
    expect(ssm.requests[0]).toMatchObject({ operation: "GetParameters", signatureValid: true });

    const plain = JSON.parse(
      await runNextTo(dir, script, { ...lambda, [env.botToken]: "5555:PLAIN" }),
    ) as string[];
    expect(plain).toContain("index.js");
    expect(plain).not.toContain("aws-ssm.js");
    expect(ssm.requests).toHaveLength(1);
  } finally {
    await ssm.stop();
  }
}, 30_000);
