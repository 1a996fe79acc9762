/**
 * The layering the README promises, checked on the sources: the bot core (bot/, except its Lambda entries)
 * never imports the local runners (local/) or the Lambda entries (bot/handlers/), so the local stack and the
 * handlers can both build it; and nlp/ stays free of Telegram and AWS.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const root = path.join(__dirname, "../..");

/** Every .ts file under `folder` (relative to the repository root). */
function sources(folder: string): string[] {
  return readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
}

/** The module specifiers a file imports: static imports, re-exports and dynamic imports. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(root, file), "utf8");
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']/gms),
    ...text.matchAll(/^\s*import\s+["']([^"']+)["']/gm),
    ...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
  ];
  return specifiers.map((match) => match[1] as string);
}

/** Where a relative specifier of `file` points, relative to the root; packages stay as they are. */
function resolved(file: string, specifier: string): string {
  return specifier.startsWith(".") ? path.normalize(path.join(path.dirname(file), specifier)) : specifier;
}

/** `file -> target` for every import of `files` that `forbidden` matches. */
function violations(files: string[], forbidden: (target: string) => boolean): string[] {
  return files.flatMap((file) =>
    importsOf(file)
      .map((specifier) => resolved(file, specifier))
      .filter(forbidden)
      .map((target) => `${file} -> ${target}`),
  );
}

const core = sources("bot").filter((file) => !file.startsWith(`bot${path.sep}handlers${path.sep}`));

test("the scan sees the bot core's imports", () => {
  // Guards the test itself: a broken pattern would find no imports and pass vacuously.
  expect(core.length).toBeGreaterThan(50);
  expect(importsOf("bot/runtime/services.ts")).toContain("../broadcast/store/dynamodb");
  expect(importsOf("bot/runtime/environment.ts")).toContain("./ssm");
});

test("bot/ never imports local/ or bot/handlers/", () => {
  const local = (target: string) => target === "local" || target.startsWith(`local${path.sep}`);
  const handlers = (target: string) => target.startsWith(`bot${path.sep}handlers`);
  expect(violations(core, (target) => local(target) || handlers(target))).toEqual([]);
});

test("nlp/ imports neither Telegram nor AWS", () => {
  const vendor = (target: string) => /^(grammy|@grammyjs\/|@aws-sdk\/|@smithy\/)/.test(target);
  const bot = (target: string) => target === "bot" || target.startsWith(`bot${path.sep}`);
  expect(violations(sources("nlp"), (target) => vendor(target) || bot(target))).toEqual([]);
});
