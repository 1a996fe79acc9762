import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContentError, loadContent, OUT_OF_SCOPE_ID } from "../../content/load";
import type { Content } from "../../content/schema";
import { contentBackground, trainFromContent } from "../../nlp/cli";
import { replyFor } from "../../nlp/decide";

const root = join(__dirname, "..", "..");
const pack = loadContent(join(root, "content"));

/** A few intents of the default pack, with and without a background written for this test. */
function smallPack(outOfScope: Content["outOfScope"]): Content {
  const keep = [
    "qa.lambda-timeout",
    "qa.lambda-memory",
    "qa.lambda-layers",
    "chitchat.greet",
    "chitchat.thanks",
  ];
  return { ...pack, intents: pack.intents.filter((i) => keep.includes(i.id)), outOfScope };
}

const background: Content["outOfScope"] = [
  {
    examples: {
      en: [
        "python lambda expression with two arguments",
        "sort a list with a lambda in python",
        "what is lambda calculus",
        "lambda as the wavelength in physics",
        "how to merge layers in photoshop",
        "recipe for a layer cake",
        "the ozone layer is getting thinner",
        "my wifi keeps timing out",
        "how many timeouts does a basketball team get",
        "how to improve my memory before exams",
        "memory foam pillow recommendations",
        "what's the weather tomorrow",
        "book a table for two tonight",
        "play some jazz music",
      ],
      vi: ["biểu thức lambda trong python", "gộp các layer trong photoshop", "thời tiết ngày mai thế nào"],
      "zh-TW": ["python 的 lambda 表達式", "蛋糕有幾層", "明天天氣如何"],
    },
  },
];

describe("the out-of-scope background class", () => {
  const withBackground = trainFromContent(smallPack(background));
  const withoutBackground = trainFromContent(smallPack([]));

  it("is trained as a class of its own when the pack has background messages", () => {
    expect(contentBackground(smallPack(background))).toHaveLength(20);
    expect(withBackground.model.oosLabel).toBe(OUT_OF_SCOPE_ID);
    expect(withBackground.model.oosMargin).toBeGreaterThanOrEqual(0);
    expect(withBackground.classifier.intents).not.toContain(OUT_OF_SCOPE_ID);
    expect(withoutBackground.model.oosLabel).toBeUndefined();
  });

  const nearDomain: [string, string][] = [
    ["en", "how do I write a lambda function in javascript arrays"],
    ["en", "photoshop layer mask tutorial"],
    ["en", "the wifi router connection timeout"],
    ["en", "python lambda expression sort"],
    ["en", "memory foam mattress"],
    ["en", "layers in photoshop"],
    ["vi", "lambda trong python dùng sao"],
    ["zh-TW", "python lambda 怎麼寫"],
  ];
  const answered = (classifier: typeof withBackground.classifier) =>
    nearDomain.filter(([language, text]) => replyFor(classifier.classify(text, language)).kind === "answer");

  it("declines most near-domain messages it never saw; without background, more are answered", () => {
    // 20 background lines in this test; the default pack has ~2,700.
    const withIt = answered(withBackground.classifier).length;
    expect(withIt).toBeLessThanOrEqual(3);
    expect(answered(withoutBackground.classifier).length).toBeGreaterThanOrEqual(withIt + 2);
  });

  it.each([
    ["en", "what is the max timeout of a lambda function", "qa.lambda-timeout"],
    ["en", "how do I share code between functions with layers", "qa.lambda-layers"],
    ["vi", "tăng bộ nhớ cho hàm lambda", "qa.lambda-memory"],
    ["zh-TW", "lambda 最多可以跑幾分鐘", "qa.lambda-timeout"],
  ])("still answers in-scope %s questions: %s", (language, text, intent) => {
    expect(withBackground.classifier.classify(text, language).candidates[0]?.intent).toBe(intent);
  });
});

describe("out-of-scope content", () => {
  it("ships background in all three languages, with CLINC150 attributed", () => {
    const languages = new Set((pack.outOfScope ?? []).flatMap((set) => Object.keys(set.examples)));
    expect([...languages].sort()).toEqual(["en", "vi", "zh-TW"]);
    for (const language of languages)
      expect(contentBackground(pack).filter((u) => u.language === language).length).toBeGreaterThan(150);
    const clinc = (pack.outOfScope ?? []).find((set) => set.source?.includes("CLINC150"));
    expect(clinc?.license).toBe("CC BY 3.0");
  });

  function problems(edit: (dir: string) => void): string[] {
    const dir = mkdtempSync(join(tmpdir(), "content-oos-"));
    try {
      cpSync(join(root, "content"), dir, { recursive: true, filter: (src) => !src.endsWith(".ts") });
      edit(dir);
      loadContent(dir);
      return [];
    } catch (error) {
      if (error instanceof ContentError) return error.problems.map((p) => `${p.path}: ${p.reason}`);
      throw error;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("refuses a background message that is also an intent example, and an unknown language", () => {
    const found = problems((dir) =>
      writeFileSync(
        join(dir, "out-of-scope", "mine.yaml"),
        "examples:\n  en:\n    - what does serverless mean?\n  fr:\n    - quel temps fait-il\n",
      ),
    );
    expect(found).toEqual([
      'examples.en[0]: "what does serverless mean?" is also an example of intent qa.serverless-what: remove it from one of them',
      'examples.fr: "fr" is not one of settings.languages',
    ]);
  });

  it("reserves the id oos for the background class", () => {
    const found = problems((dir) =>
      writeFileSync(
        join(dir, "intents", "oos.yaml"),
        `- id: oos\n  kind: chitchat\n  title: {en: x, vi: x, zh-TW: x}\n  examples:\n${["en", "vi", "zh-TW"]
          .map((l) => `    ${l}: [a1, a2, a3, a4, a5, a6, a7, a8]`)
          .join("\n")}\n  answers: {en: [x], vi: [x], zh-TW: [x]}\n`,
      ),
    );
    expect(found).toContain('[0].id: "oos" is reserved for out-of-scope messages; pick another id');
  });
});
