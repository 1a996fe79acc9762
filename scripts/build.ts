/**
 * `npm run build`: bundles each Lambda handler of contracts/runtime.ts `functions` whose entry exists into
 * dist/<name>/index.js (esbuild: Node 22, CommonJS, minified, with a source map), writes the validated
 * content pack next to each bundle as content.json (and the webhook's rule tier, compiled, as rules.json), copies the trained NLP model next to the webhook bundle
 * as model.json, and prints the sizes. The Pulumi program uploads those
 * folders as they are (FileArchive), so this is the only build step of a deployment.
 *
 * Everything is bundled, the AWS SDK included: the Lambda runtime ships an SDK, but loading it file by file
 * from the runtime's node_modules costs ~40 ms more cold start than one minified file, and a bundled SDK
 * is the version we tested, not whichever the runtime carries that day (AWS's own advice for cold starts).
 * ES module entry points first (`mainFields`), so esbuild can drop the SDK code we never call.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { build, type BuildOptions as EsbuildOptions, type Metafile, type Plugin } from "esbuild";
import { loadContent } from "../content/load";
import { bundleFiles, type FunctionName, functions } from "../contracts/runtime";
import { compileContentRules, type RuleContent } from "../nlp/rules";

/** Where `npm run nlp:train` writes the model; the webhook bundle gets a copy as `model.json`. */
export const modelSource = "dist/model/nlp-model.json";

/** File name of the model inside the webhook bundle folder (the handler reads it next to index.js). */
export const bundledModelName = bundleFiles.model;

/** File name of the content pack inside each bundle folder (bot/handlers/runtime.ts `loadBundledContent`). */
export const bundledContentName = bundleFiles.content;

/**
 * Packages replaced by a smaller module in the bundles; each shim says why it is safe.
 * `whatwg-url`: node-fetch's fallback URL class, unused on Node (~280 KB and ~15 ms of cold start).
 * `abort-controller`: a polyfill of what Node has built in, whose class names minification would break.
 * `@aws-sdk/credential-provider-node`: the SDK's default credential chain, reduced to its environment step
 * (Lambda's role credentials are always there; laptops run the sources with the full chain).
 * `@smithy/core/event-streams`: streaming codecs no operation we call uses.
 */
export const bundleAliases: Record<string, string> = {
  "whatwg-url": "./scripts/shims/whatwg-url.cjs",
  "abort-controller": "./scripts/shims/abort-controller.cjs",
  "@aws-sdk/credential-provider-node": "./scripts/shims/credential-provider-node.cjs",
  "@smithy/core/event-streams": "./scripts/shims/event-streams.cjs",
};

/**
 * Modules the handlers import dynamically, each built into a file of its own next to index.js (and loaded from
 * there at run time): the SSM client (read at cold start on AWS, never locally), the SQS client (used when
 * a job is queued) and the CloudWatch client (an admin's /stats or `GET /admin/stats`). A cold start that does not use them does not parse them. They import nothing of ours,
 * so their copies of the SDK's core are all they duplicate.
 */
export const lazyModules: Record<string, string> = {
  "bot/runtime/ssm.ts": "aws-ssm.js",
  "bot/jobs/sqs-client.ts": "aws-sqs.js",
  "bot/stats/cloudwatch-client.ts": "aws-cloudwatch.js",
};

/** Resolves an import of a {@link lazyModules} module to its file next to the bundle, left to load at run time. */
function lazyModulesPlugin(root: string): Plugin {
  return {
    name: "lazy-modules",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const source = path.relative(root, path.resolve(args.resolveDir, args.path));
        const file = lazyModules[`${source}.ts`] ?? lazyModules[source];
        return file && args.kind === "dynamic-import" ? { path: `./${file}`, external: true } : undefined;
      });
    },
  };
}

/** File name of the rule tier compiled from the content (nlp/rules.ts `compileRules`), next to the webhook. */
export const bundledRulesName = bundleFiles.rules;

/** Options of {@link buildBundles}. */
export interface BuildOptions {
  /** Repository root (defaults to the parent of scripts/). */
  root?: string;
  /** Output folder (defaults to `<root>/dist`). */
  outDir?: string;
  /** Only these functions (default: all in contracts/runtime.ts). */
  only?: readonly FunctionName[];
  /** Minify (default true; the benchmark compares against an unminified build). */
  minify?: boolean;
  /**
   * `bundle` (default) inlines every dependency; `node_modules` keeps all packages external, like a zip of
   * node_modules: the cold-start benchmark's baseline.
   */
  dependencies?: "bundle" | "node_modules";
  /**
   * Write content.json (default true). The content pack is validated first, so invalid content fails the
   * build (and so the deployment) with the content checker's message.
   */
  content?: boolean;
  /** Loads the content pack to write (default: content/load.ts over `<root>/content`); injectable for tests. */
  loadContent?: () => unknown;
}

/** One built function. */
export interface BuiltBundle {
  name: FunctionName;
  entry: string;
  /** Absolute path of index.js. */
  outfile: string;
  bytes: number;
  sourceMapBytes: number;
  /** Size of the copied model, when one was copied. */
  modelBytes?: number;
  /** Size of content.json, when written. */
  contentBytes?: number;
  /** Sizes of the {@link lazyModules} files written next to index.js (loaded only when used). */
  lazyBytes: Record<string, number>;
  /** Bytes each package (or source folder) adds to index.js, largest first: where to look when it grows. */
  largestInputs: { input: string; bytes: number }[];
}

/** What was built and what could not be (entry file not written yet). */
export interface BuildResult {
  built: BuiltBundle[];
  missing: { name: FunctionName; entry: string }[];
  /** True when the webhook bundle got no model (run `npm run nlp:train` first). */
  modelMissing: boolean;
}

/** Bundles the handlers; never throws for a missing entry (it is reported), throws on compile errors. */
export async function buildBundles(options: BuildOptions = {}): Promise<BuildResult> {
  const root = options.root ?? path.resolve(__dirname, "..");
  const outDir = options.outDir ?? path.join(root, "dist");
  const names = options.only ?? (Object.keys(functions) as FunctionName[]);
  const result: BuildResult = { built: [], missing: [], modelMissing: false };
  const buildable = names.filter((name) => existsSync(path.join(root, functions[name].entry)));
  // Validate before bundling anything: a broken content pack must not reach a deployment.
  const content =
    (options.content ?? true) && buildable.length > 0
      ? (options.loadContent ?? (() => loadContent(path.join(root, "content"))))()
      : undefined;
  const intents = (content as { intents?: unknown } | undefined)?.intents;
  const rulesJson = Array.isArray(intents)
    ? JSON.stringify(compileContentRules(content as RuleContent))
    : undefined;
  const contentJson = content === undefined ? undefined : JSON.stringify(withoutExamples(content));

  for (const name of names) {
    const entry = functions[name].entry;
    const entryPath = path.join(root, entry);
    if (!existsSync(entryPath)) {
      result.missing.push({ name, entry });
      continue;
    }
    const bundleDir = path.join(outDir, name);
    rmSync(bundleDir, { recursive: true, force: true });
    mkdirSync(bundleDir, { recursive: true });
    const outfile = path.join(bundleDir, "index.js");
    const settings: EsbuildOptions = {
      bundle: true,
      platform: "node",
      target: "node22",
      format: "cjs",
      minify: options.minify ?? true,
      // No keepNames: the one class name that matters (AbortSignal, for node-fetch) is Node's built-in
      // (see bundleAliases), and stack traces get their names back from the source map.
      sourcemap: true,
      sourcesContent: false,
      mainFields: ["module", "main"],
      alias: bundleAliases,
      ...(options.dependencies === "node_modules" ? { packages: "external" as const } : {}),
      logLevel: "warning",
      absWorkingDir: root,
      metafile: true,
    };
    const { metafile } = await build({
      ...settings,
      metafile: true,
      entryPoints: [entryPath],
      outfile,
      plugins: [lazyModulesPlugin(root)],
    });
    const lazyFiles = Object.values(metafile.outputs).flatMap((built) =>
      built.imports.filter((imported) => imported.external && imported.path.startsWith("./")),
    );
    const lazyBytes: Record<string, number> = {};
    for (const [source, file] of Object.entries(lazyModules)) {
      if (!lazyFiles.some((imported) => imported.path === `./${file}`)) continue;
      await build({
        ...settings,
        entryPoints: [path.join(root, source)],
        outfile: path.join(bundleDir, file),
      });
      lazyBytes[file] = statSync(path.join(bundleDir, file)).size;
    }
    const bundle: BuiltBundle = {
      name,
      entry,
      outfile,
      bytes: statSync(outfile).size,
      sourceMapBytes: statSync(`${outfile}.map`).size,
      largestInputs: largestInputs(metafile),
      lazyBytes,
    };
    if (contentJson !== undefined) {
      const target = path.join(bundleDir, bundledContentName);
      writeFileSync(target, contentJson);
      bundle.contentBytes = statSync(target).size;
    }
    if (name === "webhook" && rulesJson !== undefined)
      writeFileSync(path.join(bundleDir, bundledRulesName), rulesJson);
    if (name === "webhook") {
      const model = path.join(root, modelSource);
      if (existsSync(model)) {
        const target = path.join(bundleDir, bundledModelName);
        copyFileSync(model, target);
        bundle.modelBytes = statSync(target).size;
      } else {
        result.modelMissing = true;
      }
    }
    result.built.push(bundle);
  }
  return result;
}

/**
 * The content as the handlers read it: intents keep everything but their example phrases, which only the
 * rule tier (rules.json) and the NLP model (model.json) learn from, and the out-of-scope background goes. Half the file, less to parse at start.
 */
export function withoutExamples(content: unknown): unknown {
  const intents = (content as { intents?: unknown } | undefined)?.intents;
  if (!Array.isArray(intents)) return content;
  // The out-of-scope background (content/out-of-scope/) is training data only, like the examples.
  const { outOfScope: _background, ...rest } = content as { outOfScope?: unknown };
  return {
    ...rest,
    intents: intents.map((intent: object) => ({ ...intent, examples: {} })),
  };
}

/** Groups the bundle's bytes by npm package (or top-level source folder), largest first, top 8. */
function largestInputs(metafile: Metafile): { input: string; bytes: number }[] {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, info] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)(?!.*node_modules)/.exec(file)?.[1];
      const key = pkg ?? file.split("/").slice(0, 2).join("/");
      bytes.set(key, (bytes.get(key) ?? 0) + info.bytesInOutput);
    }
  }
  return [...bytes]
    .map(([input, size]) => ({ input, bytes: size }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 8);
}

/** Human-readable size: `812.4 KB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

/**
 * Thrown by `npm run build` when the webhook bundle would ship without the NLP model: NLP mode would then
 * quietly answer with rules only. The message says how to train it, or how to build for rules on purpose.
 */
export class MissingModelError extends Error {
  constructor() {
    super(
      `${modelSource} not found, so the webhook bundle would have no NLP model and NLP mode would silently fall back to rules. ` +
        "Run `npm run nlp:train` first (`npm run deploy` does both), or build a rules-only bot on purpose with `npm run build -- --without-nlp` (and `pulumi config set defaultMode rules`).",
    );
    this.name = "MissingModelError";
  }
}

/** What the build command accepts: `--without-nlp` ships no model on purpose. */
export function requireModel(result: BuildResult, argv: readonly string[]): void {
  if (result.modelMissing && !argv.includes("--without-nlp")) throw new MissingModelError();
}

/** The report `npm run build` prints. */
export function describeBuild(result: BuildResult): string {
  const lines = result.built.map((bundle) => {
    const content =
      bundle.contentBytes === undefined
        ? ""
        : `  + ${bundledContentName} ${formatBytes(bundle.contentBytes)}`;
    const model =
      bundle.modelBytes === undefined ? "" : `  + ${bundledModelName} ${formatBytes(bundle.modelBytes)}`;
    const lazy = Object.entries(bundle.lazyBytes)
      .map(([file, bytes]) => `  + ${file} ${formatBytes(bytes)}`)
      .join("");
    return `  ${bundle.name.padEnd(16)} ${formatBytes(bundle.bytes).padStart(10)}  (map ${formatBytes(bundle.sourceMapBytes)})${content}${model}${lazy}`;
  });
  for (const missing of result.missing)
    lines.push(`  ${missing.name.padEnd(16)} not built: ${missing.entry} does not exist yet`);
  if (result.modelMissing) {
    lines.push(
      `  warning: ${modelSource} not found; run \`npm run nlp:train\` so the webhook bundle carries the NLP model`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const started = Date.now();
  const result = await buildBundles();
  console.log(
    `Built ${result.built.length} of ${Object.keys(functions).length} functions in ${Date.now() - started} ms:`,
  );
  console.log(describeBuild(result));
  requireModel(result, process.argv.slice(2));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof MissingModelError ? `error: ${error.message}` : error);
    process.exit(1);
  });
}
