/**
 * The privacy policy is content (content/privacy.yaml), validated like the rest of the pack: every language,
 * and in each every retention figure the bot fills in, or `content:check` names what is missing.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadContent } from "../../content/load";
import { privacyPlaceholders } from "../../content/schema";
import { contentProblems, copyOfDefaultPack, repoRoot } from "../helpers/content-pack";

/** `path: reason` of each problem the pack has. */
const problemLines = (dir: string) => contentProblems(dir).map((p) => `${p.path}: ${p.reason}`);

describe("the privacy policy in content/", () => {
  it("is in every language of the pack and states every retention figure in each", () => {
    const { privacy, settings } = loadContent(join(repoRoot, "content"));
    for (const language of settings.languages)
      for (const placeholder of privacyPlaceholders)
        expect(privacy.policy[language]).toContain(`{${placeholder}}`);
  });

  it("is refused when a language drops a figure, naming the language and the placeholder", () => {
    const dir = copyOfDefaultPack("content-privacy-");
    const file = join(dir, "privacy.yaml");
    const yaml = readFileSync(file, "utf8");
    const vi = yaml.indexOf("  vi: |-");
    writeFileSync(file, yaml.slice(0, vi) + yaml.slice(vi).replace("{forgetDays}", "180"));

    expect(problemLines(dir)).toEqual([
      "policy.vi: missing {forgetDays}: the policy must state this retention figure (filled in from the settings)",
    ]);
  });

  it("is required: a pack without privacy.yaml is refused", () => {
    const dir = copyOfDefaultPack("content-privacy-");
    rmSync(join(dir, "privacy.yaml"));

    expect(problemLines(dir)).toEqual([": file is missing"]);
  });
});
