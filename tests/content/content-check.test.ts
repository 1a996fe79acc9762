import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadContent } from "../../content/load";
import { botCommandsFrom } from "../../contracts/commands";
import { contentProblems, copyOfDefaultPack, repoRoot } from "../helpers/content-pack";

describe("content validation", () => {
  it("accepts the default pack: three languages, 25+ Q&A entries, both questionnaires, 40+ tips", () => {
    const content = loadContent(join(repoRoot, "content"));

    expect(content.settings.languages).toEqual(["en", "vi", "zh-TW"]);
    const qa = content.intents.filter((i) => i.kind === "qa");
    expect(qa.length).toBeGreaterThanOrEqual(25);
    for (const intent of qa)
      for (const language of content.settings.languages)
        expect(intent.examples[language]?.length).toBeGreaterThanOrEqual(8);
    expect(content.questionnaires.map((q) => q.id).sort()).toEqual(["course-feedback", "learner-profile"]);
    expect(content.recommendations.length).toBeGreaterThanOrEqual(40);
    const chitchat = content.intents.filter((i) => i.kind === "chitchat").map((i) => i.id);
    expect(chitchat).toEqual(
      expect.arrayContaining([
        "chitchat.greet",
        "chitchat.goodbye",
        "chitchat.thanks",
        "chitchat.how-are-you",
        "chitchat.who-are-you",
        "chitchat.joke",
        "chitchat.rude",
        "chitchat.yes",
        "chitchat.no",
      ]),
    );
  });

  it("names the file, the path inside it and the reason for a missing translation", () => {
    const dir = copyOfDefaultPack();
    const file = join(dir, "messages.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/^(\s+)vi: .*\n/m, ""));

    const problems = contentProblems(dir);

    expect(problems).toEqual([
      expect.objectContaining({
        file: expect.stringContaining("messages.yaml"),
        reason: "missing the vi translation",
      }),
    ]);
    expect(problems[0]?.path).toMatch(/\.vi$/);
  });

  it("refuses a command description Telegram would refuse at deploy time (over 256 characters)", () => {
    const dir = copyOfDefaultPack();
    const file = join(dir, "messages.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("  en: What I can do\n", `  en: ${"What I can do. ".repeat(20)}\n`),
    );

    expect(contentProblems(dir)).toEqual([
      expect.objectContaining({
        path: "command.help.en",
        reason: "a command description holds at most 256 characters, this has 299",
      }),
    ]);
  });

  it("gives the command menu its texts: the default language for everyone, then one list per language", () => {
    const content = loadContent(join(repoRoot, "content"));
    const menus = botCommandsFrom(content);

    expect(menus.map((menu) => menu.languageCode)).toEqual([undefined, "vi", "zh"]);
    expect(menus[2]?.commands.find((c) => c.command === "questionnaire")?.description).toBe("填寫問卷");
    // A second Chinese pack would share Telegram's two-letter code: the first listed keeps it.
    const withTwoChinese = {
      ...content,
      settings: { ...content.settings, languages: [...content.settings.languages, "zh-CN"] },
    };
    expect(botCommandsFrom(withTwoChinese).map((menu) => menu.languageCode)).toEqual([undefined, "vi", "zh"]);
  });

  it("reports every problem, not only the first: bad YAML, wrong types and unknown topics", () => {
    const dir = copyOfDefaultPack();
    writeFileSync(join(dir, "questionnaires", "broken.yaml"), "id: [unclosed\n");
    writeFileSync(
      join(dir, "recommendations.yaml"),
      `${readFileSync(join(dir, "recommendations.yaml"), "utf8")}\n- id: tip.extra\n  topics: [kubernetes]\n  level: guru\n  text: { en: a, vi: b, zh-TW: c }\n`,
    );

    const problems = contentProblems(dir).map((p) => `${p.file.split("/").pop()}: ${p.path}: ${p.reason}`);

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^broken\.yaml: : not valid YAML/),
        expect.stringMatching(
          /^recommendations\.yaml: \[\d+\]\.topics\[0\]: "kubernetes" is not one of settings\.topics/,
        ),
        expect.stringMatching(
          /^recommendations\.yaml: \[\d+\]\.level: "guru" is not one of settings\.levels/,
        ),
      ]),
    );
  });

  it("`npm run content:check` exits non-zero and prints file, path and reason", () => {
    const dir = copyOfDefaultPack();
    const file = join(dir, "questionnaires", "course-feedback.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/version: 1/, "version: zero"));

    const run = spawnSync(
      process.execPath,
      [join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs"), join(repoRoot, "content", "check.ts"), dir],
      {
        encoding: "utf8",
      },
    );

    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/course-feedback\.yaml: version: .+/);
  });
});
