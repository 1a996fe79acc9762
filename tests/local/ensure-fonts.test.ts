/**
 * The test pre-step (`node scripts/ensure-deps.mjs --system`, or `--fonts` alone) installs Debian's CJK and
 * emoji fonts when the machine lacks them, and leaves a machine that has them alone. Run with `apt-get` and
 * `fc-list` stand-ins on PATH that record what they were asked, so no package is really installed.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const script = join(__dirname, "..", "..", "scripts", "ensure-deps.mjs");

/** Runs the script with a PATH holding only stand-ins: `fc-list` answering `families`, `apt-get` recording. */
function runWith(families: string) {
  const bin = mkdtempSync(join(tmpdir(), "lambdagram-bin-"));
  const log = join(bin, "apt.log");
  writeFileSync(join(bin, "fc-list"), `#!/bin/sh\nprintf '%s\\n' "${families}"\n`);
  writeFileSync(join(bin, "apt-get"), `#!/bin/sh\necho "$@" >> "${log}"\n`);
  chmodSync(join(bin, "fc-list"), 0o755);
  chmodSync(join(bin, "apt-get"), 0o755);
  symlinkSync("/bin/sh", join(bin, "sh")); // the script asks `sh -c "command -v ..."`
  try {
    const run = spawnSync(process.execPath, [script, "--fonts"], {
      env: { PATH: bin, HOME: bin },
      encoding: "utf8",
    });
    return {
      status: run.status,
      output: run.stdout + run.stderr,
      apt: existsSync(log) ? readFileSync(log, "utf8") : "",
    };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

describe("the fonts step of scripts/ensure-deps.mjs", () => {
  it("installs fonts-noto-cjk and fonts-noto-color-emoji when fc-list knows neither", () => {
    const run = runWith("DejaVu Sans");

    if (process.getuid?.() === 0) {
      expect(run.apt).toMatch(/install .*fonts-noto-cjk fonts-noto-color-emoji/);
      expect(run.status).toBe(0);
    } else {
      expect(run.output).toContain("sudo apt-get install -y fonts-noto-cjk fonts-noto-color-emoji");
      expect(run.status).toBe(1);
    }
  });

  it("installs only what is missing", () => {
    const run = runWith("DejaVu Sans\nNoto Sans CJK TC");

    if (process.getuid?.() === 0) expect(run.apt).toMatch(/install [^\n]*fonts-noto-color-emoji\n/);
    expect(run.apt).not.toContain("fonts-noto-cjk");
  });

  it("installs nothing when fc-list already lists both families", () => {
    const run = runWith("DejaVu Sans\nNoto Sans CJK TC\nNoto Color Emoji");

    expect(run.apt).toBe("");
    expect(run.status).toBe(0);
  });
});
