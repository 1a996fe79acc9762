import * as path from "node:path";
import { loadContent } from "../../content/load";
import { RuleClassifier } from "../../nlp/rules";

/**
 * Rules-tier parity: in rules mode, a user who types a question's own title (what its buttons show), in any
 * language of the pack, gets that question. A title that fails needs a keyword in that language.
 */
const content = loadContent(path.join(__dirname, "../../content"));
const rules = new RuleClassifier(content);
const titles = content.intents
  .filter((intent) => intent.kind !== "chitchat")
  .flatMap((intent) =>
    Object.entries(intent.title).map(([language, title]) => ({ id: intent.id, language, title })),
  );

describe("rules-tier parity across languages", () => {
  it("covers every Q&A and help intent in every language of the pack", () => {
    const questions = content.intents.filter((intent) => intent.kind !== "chitchat");
    expect(questions.length).toBeGreaterThan(20);
    expect(titles).toHaveLength(questions.length * content.settings.languages.length);
  });

  it.each(titles)('reaches $id from its $language title "$title"', ({ id, language, title }) => {
    const result = rules.classify(title, language);
    expect({
      decision: ["exact", "confident"].includes(result.decision) ? "answered" : result.decision,
      intent: result.candidates[0]?.intent,
    }).toEqual({ decision: "answered", intent: id });
  });

  it.each([
    ["en", "How long can a Lambda function run at most?"],
    ["vi", "Lambda chạy tối đa bao lâu?"],
    ["zh-TW", "Lambda 最長可以執行多久?"],
  ])("understands the same timeout question in %s", (language, text) => {
    expect(rules.classify(text, language).candidates[0]?.intent).toBe("qa.lambda-timeout");
  });
});
