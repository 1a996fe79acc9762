import * as path from "node:path";
import { loadContent } from "../../content/load";
import { type CompiledRules, compileRules, RuleClassifier } from "../../nlp/rules";

const rules = new RuleClassifier([
  {
    id: "qa.timeout",
    examples: { en: ["What is the maximum timeout?"], vi: ["Thời gian chạy tối đa là bao lâu?"] },
    keywords: { en: ["lambda timeout"], "zh-TW": ["逾時"] },
  },
  {
    id: "qa.memory",
    examples: { en: ["How much memory can a function have?"] },
    keywords: { en: ["memory"] },
  },
  {
    id: "qa.cpu",
    examples: { en: ["Can I choose the CPU?"] },
    keywords: { en: ["cpu"] },
    patterns: { en: ["\\bv?cpus?\\b.*\\b(set|pick|choose)\\b"] },
  },
]);

describe("the rule tier", () => {
  it("decides exactly on an example phrase, ignoring case, punctuation and spacing", () => {
    expect(rules.classify("  what IS the maximum timeout ", "en")).toEqual({
      decision: "exact",
      candidates: [{ intent: "qa.timeout", confidence: 1 }],
    });
  });

  it("matches Vietnamese typed without diacritics", () => {
    expect(rules.classify("thoi gian chay toi da la bao lau", "vi").candidates[0]?.intent).toBe("qa.timeout");
  });

  it("decides on a pattern", () => {
    expect(rules.classify("vcpus: can I set them myself", "en")).toMatchObject({
      decision: "exact",
      candidates: [{ intent: "qa.cpu" }],
    });
  });

  it("matches a keyword's words in any order within a longer sentence", () => {
    expect(rules.classify("how long before the timeout of my lambda kicks in", "en")).toMatchObject({
      decision: "confident",
      candidates: [{ intent: "qa.timeout" }],
    });
  });

  it("matches a Chinese keyword inside text without spaces", () => {
    expect(rules.classify("函式多久會逾時呢", "zh-TW").candidates[0]?.intent).toBe("qa.timeout");
  });

  it("is unsure on a tie and offers both candidates", () => {
    const result = rules.classify("memory or cpu, which matters", "en");
    expect(result.decision).toBe("unsure");
    expect(result.candidates.map((c) => c.intent).sort()).toEqual(["qa.cpu", "qa.memory"]);
  });

  it("finds nothing in gibberish or punctuation only", () => {
    expect(rules.classify("blorp", "en")).toEqual({ decision: "out_of_scope", candidates: [] });
    expect(rules.classify("?!…", "en")).toEqual({ decision: "out_of_scope", candidates: [] });
  });
});

describe("rules compiled at build time", () => {
  const content = loadContent(path.join(__dirname, "../../content"));
  const fromContent = new RuleClassifier(content.intents);
  // What `npm run build` writes as rules.json and the webhook handler reads back.
  const fromBuild = new RuleClassifier(JSON.parse(JSON.stringify(compileRules(content.intents))));

  it("classify every phrase of the content pack, and variations of it, exactly like rules built from content", () => {
    const inputs = content.intents.flatMap((intent) =>
      [...Object.values(intent.examples), ...Object.values(intent.keywords ?? {})]
        .flat()
        .flatMap((text) => [text, text.toUpperCase(), `${text} please`, text.split(" ").reverse().join(" ")]),
    );
    expect(inputs.length).toBeGreaterThan(1000);
    for (const text of inputs)
      expect(fromBuild.classify(text, "en")).toEqual(fromContent.classify(text, "en"));
  });

  it("refuse a file of another shape with a message that says to rebuild", () => {
    expect(() => new RuleClassifier({ exact: {} } as unknown as CompiledRules)).toThrow(
      /compiled rules are invalid.*npm run build/,
    );
  });
});
