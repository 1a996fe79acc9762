#!/usr/bin/env node
// Runs before `npm start` and `npm test`: installs npm dependencies when they are missing or stale,
// and (with --system / --java) the Debian packages the tests need, so a fresh clone needs no manual step.
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
