import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, readProbe } from "../../nlp/cli";
import { classifyTiered, outcomeOf, replyFor } from "../../nlp/decide";
import { runProbe } from "../../nlp/probe";
import { RuleClassifier } from "../../nlp/rules";
import type { Classification, IntentClassifier } from "../../nlp/types";

/** A classifier that answers from a table, so each decision path is exercised on purpose. */
function fixed(table: Record<string, Classification>): IntentClassifier {
  return {
    name: "fixed",
    classify: (text) => table[text] ?? { decision: "out_of_scope", candidates: [] },
  };
}

const rules = new RuleClassifier([
  {
    id: "qa.lambda-timeout",
    examples: { en: ["lambda timeout"] },
    keywords: { en: ["timeout"] },
  },
  { id: "chitchat.greet", examples: { en: ["hello"] } },
]);

const nlp = fixed({
  "how long can my function run": {
    decision: "confident",
    candidates: [{ intent: "qa.lambda-timeout", confidence: 0.93 }],
  },
  "is it raining": { decision: "confident", candidates: [{ intent: "chitchat.greet", confidence: 0.9 }] },
  "function limits": {
    decision: "unsure",
    candidates: [
      { intent: "qa.lambda-memory", confidence: 0.4 },
      { intent: "qa.lambda-timeout", confidence: 0.3 },
    ],
  },
  "lambda timeout": { decision: "confident", candidates: [{ intent: "chitchat.greet", confidence: 0.99 }] },
});

describe("the bot's decision (nlp/decide.ts)", () => {
  it("lets an exact rule win over the model in NLP mode, and uses the model otherwise", () => {
    expect(classifyTiered({ rules, nlp }, "nlp", "lambda timeout", "en").candidates[0]?.intent).toBe(
      "qa.lambda-timeout",
    );
    expect(classifyTiered({ rules, nlp }, "nlp", "how long can my function run", "en").decision).toBe(
      "confident",
    );
    expect(classifyTiered({ rules, nlp }, "rules", "how long can my function run", "en").decision).toBe(
      "out_of_scope",
    );
    expect(classifyTiered({ rules }, "nlp", "my timeout", "en")).toMatchObject({ decision: "confident" });
  });

  it("answers exact and confident results, clarifies unsure ones, declines the rest", () => {
    const answer: Classification = { decision: "confident", candidates: [{ intent: "a", confidence: 0.9 }] };
    expect(replyFor(answer)).toEqual({ kind: "answer", intent: "a" });
    expect(replyFor({ ...answer, decision: "exact" })).toEqual({ kind: "answer", intent: "a" });
    expect(
      replyFor({
        decision: "unsure",
        candidates: ["a", "b", "c", "d"].map((intent) => ({ intent, confidence: 0.2 })),
      }),
    ).toEqual({ kind: "clarify", intents: ["a", "b", "c"] });
    expect(replyFor({ decision: "out_of_scope", candidates: answer.candidates })).toEqual({
      kind: "decline",
    });
    expect(replyFor({ decision: "unsure", candidates: [] })).toEqual({ kind: "decline" });
  });

  it("never answers or offers an intent the content does not know", () => {
    const known = (id: string) => id !== "gone";
    expect(
      replyFor({ decision: "confident", candidates: [{ intent: "gone", confidence: 0.9 }] }, known),
    ).toEqual({ kind: "decline" });
    expect(
      replyFor(
        {
          decision: "unsure",
          candidates: [
            { intent: "gone", confidence: 0.4 },
            { intent: "b", confidence: 0.3 },
          ],
        },
        known,
      ),
    ).toEqual({ kind: "clarify", intents: ["b"] });
  });

  it("names what the user felt", () => {
    expect(outcomeOf({ kind: "answer", intent: "a" }, "a")).toBe("right");
    expect(outcomeOf({ kind: "answer", intent: "b" }, "a")).toBe("confidentlyWrong");
    expect(outcomeOf({ kind: "answer", intent: "a" }, "oos")).toBe("confidentlyWrong");
    expect(outcomeOf({ kind: "decline" }, "oos")).toBe("right");
    expect(outcomeOf({ kind: "decline" }, "a")).toBe("declined");
    expect(outcomeOf({ kind: "clarify", intents: ["b", "a"] }, "a")).toBe("clarified");
    expect(outcomeOf({ kind: "clarify", intents: ["b"] }, "a")).toBe("offeredOthers");
    expect(outcomeOf({ kind: "clarify", intents: ["b"] }, "oos")).toBe("offeredOthers");
  });
});

describe("the realistic-set report", () => {
  const messages = [
    { text: "how long can my function run", label: "qa.lambda-timeout", language: "en", tags: ["fragment"] },
    { text: "is it raining", label: "oos", language: "en", tags: ["near-domain"] },
    { text: "function limits", label: "qa.lambda-timeout", language: "en" },
    { text: "xyzzy", label: "oos", language: "en" },
    { text: "lambda timeout", label: "qa.lambda-timeout", language: "vi" },
    { text: "hm", label: "qa.lambda-memory", language: "vi" },
    { text: "how do I renew my passport", label: "qa.passport", language: "vi" },
  ];
  const known = ["qa.lambda-timeout", "qa.lambda-memory", "chitchat.greet"];

  it("counts right, clarified, declined and confidently wrong per language, with the rates", () => {
    const report = runProbe({ rules, nlp }, messages, { knownIntents: known });

    expect(report.languages.en).toMatchObject({
      messages: 4,
      right: 2,
      clarified: 1,
      declined: 0,
      confidentlyWrong: 1,
      confidentlyWrongRate: 0.25,
      inScopeRightRate: 0.5,
      inScopeReachedRate: 1,
      oosDeclinedRate: 0.5,
    });
    expect(report.languages.vi).toMatchObject({ messages: 3, right: 1, declined: 2, confidentlyWrong: 0 });
    expect(report.overall).toMatchObject({ messages: 7, confidentlyWrong: 1 });
    expect(report.confidentlyWrong).toEqual([
      expect.objectContaining({ text: "is it raining", reply: { kind: "answer", intent: "chitchat.greet" } }),
    ]);
    expect(report.tags["near-domain"]).toMatchObject({ messages: 1, confidentlyWrong: 1 });
    expect(report.unknownLabels).toEqual(["qa.passport"]);
    expect(report.confusion).toContainEqual({ label: "oos", got: "chitchat.greet", count: 1 });
  });

  it("measures the rule tier alone with tier rules", () => {
    const report = runProbe({ rules, nlp }, messages, { tier: "rules", knownIntents: known });
    expect(report.tier).toBe("rules");
    expect(report.overall.confidentlyWrong).toBe(0);
    expect(report.languages.en).toMatchObject({ right: 2, declined: 2 });
  });
});

describe("nlp evaluate --probe", () => {
  const dir = mkdtempSync(join(tmpdir(), "lambdagram-probe-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const lines = (rows: object[]) => `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`;
  const content = join(__dirname, "../../content");

  it("takes a message's language from its file name unless the line names one", () => {
    const file = join(dir, "vi.jsonl");
    writeFileSync(
      file,
      lines([
        { text: "a", label: "oos" },
        { text: "b", intent: "oos", language: "en", tags: ["typo"] },
      ]),
    );
    expect(readProbe(file, ["en", "vi"], "en")).toEqual([
      { text: "a", label: "oos", language: "vi" },
      { text: "b", label: "oos", language: "en", tags: ["typo"] },
    ]);
  });

  it("prints confidentlyWrongRate per language and overall with --json", () => {
    const en = join(dir, "en.jsonl");
    const zh = join(dir, "zh-TW.jsonl");
    writeFileSync(
      en,
      lines([
        { text: "Lambda timeout", label: "qa.lambda-timeout" },
        { text: "thanks a lot", label: "chitchat.thanks" },
      ]),
    );
    writeFileSync(zh, lines([{ text: "謝謝", label: "oos", tags: ["made-up"] }]));
    const out: string[] = [];
    const code = main(
      ["evaluate", "--content", content, "--probe", en, "--probe", zh, "--tier", "rules", "--json"],
      (line) => out.push(line),
    );
    expect(code).toBe(0);
    const report = JSON.parse(out.join("\n"));
    expect(report.languages.en.confidentlyWrongRate).toBe(0);
    expect(report.languages["zh-TW"].confidentlyWrongRate).toBe(1);
    expect(report.confidentlyWrongRate).toBeCloseTo(1 / 3);
    expect(report.confidentlyWrong).toEqual([
      expect.objectContaining({ text: "謝謝", language: "zh-TW", label: "oos", got: "chitchat.thanks" }),
    ]);
  });

  it("refuses an unknown tier and names the choices", () => {
    const err: string[] = [];
    const code = main(
      ["evaluate", "--probe", join(dir, "en.jsonl"), "--tier", "smart"],
      () => {},
      (line) => err.push(line),
    );
    expect(code).toBe(1);
    expect(err.join("\n")).toContain('--tier must be "rules" or "nlp"');
  });
});
