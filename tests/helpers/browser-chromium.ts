/**
 * Headless Chromium for the browser tests: Debian's package at /usr/bin/chromium, driven by playwright-core.
 * Never downloads a browser; `npm test`'s pretest step installs the package on CI.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";

/** Where Debian installs Chromium. */
export const chromiumPath = "/usr/bin/chromium";

/** Screenshots and other test output (git-ignored). */
export const artifactsDir = join(__dirname, "..", "..", "test-artifacts");

/** Flags for a quiet, offline, sandbox-free headless run (containers have no user namespaces). */
export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches headless Chromium; throws with the install command when the package is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `No Chromium at ${chromiumPath}. Install it with: sudo apt-get install -y chromium (npm test does it).`,
    );
  }
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: 20_000 });
}

/** The path of an artifact file, creating the folder first. */
export function artifactPath(fileName: string): string {
  mkdirSync(artifactsDir, { recursive: true });
  return join(artifactsDir, fileName);
}
