import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { compileRules, RuleClassifier } from "../../nlp/rules";
import { UnsafePatternError } from "../../nlp/safe-pattern";

const root = join(__dirname, "..", "..");
const catastrophic = "^(?:[a-z]+|[a-z0-9]+)*!$";

/** A copy of the default pack whose greeting intent has `patterns`. */
function packWithPatterns(patterns: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "content-patterns-"));
  cpSync(join(root, "content"), dir, { recursive: true, filter: (src) => !src.endsWith(".ts") });
  const file = join(dir, "intents", "chitchat.yaml");
  const intents = parse(readFileSync(file, "utf8")) as { id: string; patterns?: Record<string, string[]> }[];
  const greet = intents.find((intent) => intent.id === "chitchat.greet");
  if (greet) greet.patterns = { en: patterns, vi: ["^chao$"], "zh-TW": ["^你好$"] };
  writeFileSync(file, stringify(intents));
  return dir;
}

function contentCheck(dir: string) {
  return spawnSync(process.execPath, ["--import", "tsx", join(root, "content", "check.ts"), dir], {
    cwd: root,
    encoding: "utf8",
  });
}

describe("content patterns that can backtrack catastrophically", () => {
  it("are refused by content:check, naming the file, the intent and the pattern", () => {
    const result = contentCheck(packWithPatterns(["^good (morning|evening)$", catastrophic]));

    expect(result.status).toBe(1);
    const lines = result.stderr.split("\n").filter((line) => line.includes("patterns"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("chitchat.yaml");
    expect(lines[0]).toContain('intent "chitchat.greet"');
    expect(lines[0]).toContain(catastrophic);
    expect(lines[0]).toContain("backtrack catastrophically");
  }, 30_000);

  it("are refused when rules are compiled, at build time and at a handler's cold start", () => {
    const intents = [{ id: "demo", examples: {}, patterns: { en: [catastrophic] } }];
    expect(() => compileRules(intents)).toThrow(UnsafePatternError);
    expect(
      () =>
        new RuleClassifier({ exact: {}, keywords: [], patterns: [{ intent: "demo", source: catastrophic }] }),
    ).toThrow(/demo.*backtrack/);
    expect(
      new RuleClassifier([
        { id: "ok", examples: {}, patterns: { en: ["^good (morning|evening)$"] } },
      ]).classify("good morning", "en").decision,
    ).toBe("exact");
  });
});
