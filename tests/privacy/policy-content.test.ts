/**
 * The privacy policy is content (content/privacy.yaml), validated like the rest of the pack: every language,
 * and in each every retention figure the bot fills in, or `content:check` names what is missing.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContentError, loadContent } from "../../content/load";
import { privacyPlaceholders } from "../../content/schema";

const root = join(__dirname, "..", "..");

function copyOfDefaultPack(): string {
  const dir = mkdtempSync(join(tmpdir(), "content-privacy-"));
  cpSync(join(root, "content"), dir, { recursive: true, filter: (src) => !src.endsWith(".ts") });
  return dir;
}

function problemsOf(dir: string) {
  try {
    loadContent(dir);
  } catch (error) {
    if (error instanceof ContentError) return error.problems.map((p) => `${p.path}: ${p.reason}`);
    throw error;
  }
  return [];
}

describe("the privacy policy in content/", () => {
  it("is in every language of the pack and states every retention figure in each", () => {
    const { privacy, settings } = loadContent(join(root, "content"));
    for (const language of settings.languages)
      for (const placeholder of privacyPlaceholders)
        expect(privacy.policy[language]).toContain(`{${placeholder}}`);
  });

  it("is refused when a language drops a figure, naming the language and the placeholder", () => {
    const dir = copyOfDefaultPack();
    const file = join(dir, "privacy.yaml");
    const yaml = readFileSync(file, "utf8");
    const vi = yaml.indexOf("  vi: |-");
    writeFileSync(file, yaml.slice(0, vi) + yaml.slice(vi).replace("{forgetDays}", "180"));

    expect(problemsOf(dir)).toEqual([
      "policy.vi: missing {forgetDays}: the policy must state this retention figure (filled in from the settings)",
    ]);
  });

  it("is required: a pack without privacy.yaml is refused", () => {
    const dir = copyOfDefaultPack();
    rmSync(join(dir, "privacy.yaml"));

    expect(problemsOf(dir)).toEqual([": file is missing"]);
  });
});
