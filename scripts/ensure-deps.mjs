#!/usr/bin/env node
// Runs before `npm start` and `npm test`: installs npm dependencies when they are missing or stale,
// and (with --system / --java / --fonts) the Debian packages the tests need, so a fresh clone needs no manual
// step. --system includes the fonts: without CJK and emoji fonts Chromium draws Chinese and emoji as empty
// boxes in the web chat and in the tests' screenshots.
import { execSync, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");
const args = new Set(process.argv.slice(2));

function run(cmd) {
  console.error(`[setup] ${cmd}`);
  execSync(cmd, { stdio: "inherit", cwd: root });
}

function npmDepsAreCurrent() {
  const marker = join(root, "node_modules", ".package-lock.json");
  if (!existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(join(root, "package-lock.json")).mtimeMs - 1000;
}

function has(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

function aptInstall(packages, why) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot || !has("apt-get")) {
    console.error(
      `[setup] ${why} needs: sudo apt-get install -y ${packages.join(" ")} (then run the command again)`,
    );
    process.exit(1);
  }
  run("apt-get update -qq");
  run(`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${packages.join(" ")}`);
}

if (!npmDepsAreCurrent()) run("npm ci --no-audit --no-fund");
if (args.has("--system") && !existsSync("/usr/bin/chromium")) aptInstall(["chromium"], "The browser tests");
if ((args.has("--system") || args.has("--java")) && !has("java"))
  aptInstall(["openjdk-17-jre-headless"], "DynamoDB Local");

/** Debian font packages and a file each installs (Debian's paths), by what `fc-list` calls the family. */
const fontPackages = [
  {
    name: "fonts-noto-cjk",
    family: "Noto Sans CJK",
    file: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
  },
  {
    name: "fonts-noto-color-emoji",
    family: "Noto Color Emoji",
    file: "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
  },
];

/** What fontconfig (and so Chromium) sees decides; without `fc-list`, Debian's font file paths do. */
function missingFontPackages() {
  if (!has("fc-list")) return fontPackages.filter((font) => !existsSync(font.file)).map((font) => font.name);
  const families = spawnSync("fc-list", [":", "family"], { encoding: "utf8" }).stdout ?? "";
  return fontPackages.filter((font) => !families.includes(font.family)).map((font) => font.name);
}

if (args.has("--system") || args.has("--fonts")) {
  const missing = missingFontPackages();
  if (missing.length > 0) aptInstall(missing, "Chinese and emoji in the web chat and its screenshots");
}
