import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadContent } from "../../content/load";
import { NlpClassifier } from "../../nlp/classifier";
import {
  contentBackground,
  contentHints,
  contentUtterances,
  crossValidateContent,
  DEFAULT_MODEL_PATH,
  formatHeldOutErrors,
  main,
} from "../../nlp/cli";
import type { LabelledUtterance } from "../../nlp/types";
import { defaultNlp } from "../helpers/default-model";
import { fixtureUtterances } from "./fixtures";

const dir = mkdtempSync(join(tmpdir(), "lambdagram-nlp-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const oos: LabelledUtterance[] = [
  "what's the weather tomorrow",
  "play some jazz",
  "book a table for two",
  "who won the game last night",
  "set an alarm for six",
  "tell me today's news",
  "order me a pizza",
  "what is the capital of france",
  "how tall is mount everest",
  "recommend a good movie",
].map((text) => ({ text, intent: "oos", language: "en" }));

function jsonl(name: string, utterances: LabelledUtterance[]): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `${utterances.map((u) => JSON.stringify({ text: u.text, intent: u.intent })).join("\n")}\n`,
  );
  return file;
}

const english = fixtureUtterances.filter((u) => u.language === "en");
const trainFile = jsonl("train.jsonl", [...english.filter((_, i) => i % 4 !== 0), ...oos.slice(0, 6)]);
const testFile = jsonl("test.jsonl", [...english.filter((_, i) => i % 4 === 0), ...oos.slice(6)]);

function run(argv: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(
    argv,
    (line) => out.push(line),
    (line) => err.push(line),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("nlp evaluate", () => {
  it("prints one JSON object with the headline metrics when asked for --json", () => {
    const { code, out } = run([
      "evaluate",
      "--train",
      trainFile,
      "--test",
      testFile,
      "--oos-label",
      "oos",
      "--json",
    ]);
    expect(code).toBe(0);
    const summary = JSON.parse(out);
    for (const key of [
      "accuracy",
      "macroF1",
      "inScopeAccuracy",
      "oosRecall",
      "trainMs",
      "classifyMsP50",
      "classifyMsP99",
      "modelBytes",
    ])
      expect(typeof summary[key]).toBe("number");
    expect(summary.accuracy).toBeGreaterThan(0.5);
    expect(summary.operatingPoints.length).toBeGreaterThan(0);
  });

  it("prints accuracy, macro-F1, per-intent metrics, confusions and OOS metrics for people", () => {
    const { code, out } = run([
      "evaluate",
      "--train",
      trainFile,
      "--test",
      testFile,
      "--valid",
      trainFile,
      "--oos-label",
      "oos",
    ]);
    expect(code).toBe(0);
    expect(out).toMatch(/accuracy \d+\.\d% {2}macro-F1 \d+\.\d%/);
    expect(out).toMatch(/OOS recall \d+\.\d%, OOS precision \d+\.\d%/);
    expect(out).toContain("per intent (worst F1 first):");
    expect(out).toMatch(/qa\.lambda-memory\s+\d+\.\d%/);
    expect(out).toContain("calibration: validation set");
  });

  it("writes a self-contained HTML report with the heat map and the per-intent table", () => {
    const report = join(dir, "report.html");
    expect(
      run(["evaluate", "--train", trainFile, "--test", testFile, "--oos-label", "oos", "--report", report])
        .code,
    ).toBe(0);
    const html = readFileSync(report, "utf8");
    expect(html).toContain('<svg class="heatmap"');
    expect(html).toContain("per-intent");
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).not.toMatch(/<script|<link/);
  });

  it("explains what is missing instead of crashing", () => {
    const missing = run(["evaluate", "--test", testFile]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("evaluate needs --train and --test");
    expect(missing.err).toContain("Usage:");
    expect(run(["frobnicate"]).err).toContain('unknown command "frobnicate"');
    expect(run(["evaluate", "--train", join(dir, "nope.jsonl"), "--test", testFile]).err).toContain(
      "cannot be read",
    );
    const broken = join(dir, "broken.jsonl");
    writeFileSync(broken, '{"text": "hi", "intent": "greet"}\n{"text": "no intent"}\n');
    expect(run(["evaluate", "--train", broken, "--test", testFile]).err).toContain(
      `${broken}:2: needs string fields`,
    );
  });

  it("runs through the lambdagram launcher (npx lambdagram nlp evaluate ...)", () => {
    const out = execFileSync(
      process.execPath,
      [
        join(__dirname, "../../bin/lambdagram.js"),
        "nlp",
        "evaluate",
        "--train",
        trainFile,
        "--test",
        testFile,
        "--json",
      ],
      { encoding: "utf8" },
    );
    expect(JSON.parse(out)).toMatchObject({ oosRecall: null, accuracy: expect.any(Number) });
  });
});

describe("the default content pack", () => {
  const content = loadContent();

  // How fast the model loads is a figure of bench/coldstart.ts, not a test. The whole pack's model is the one
  // jest's global setup trained with the same function `train` calls (tests/global-setup.ts).
  it("trains into a model under 3 MB with every intent, language and example", () => {
    const model = readFileSync(join(__dirname, "../..", DEFAULT_MODEL_PATH), "utf8");
    expect(Buffer.byteLength(model)).toBeLessThan(3_000_000); // issue 13: the 90+ intent pack stays under 3 MB
    const classifier = defaultNlp();
    expect(classifier.intents).toEqual(content.intents.map((i) => i.id).sort());
    expect(classifier.model.meta.examples).toBe(
      contentUtterances(content).length + contentBackground(content).length,
    );
    expect(classifier.model.meta.languages).toEqual([...content.settings.languages].sort());
  });

  it("`train` writes the model of the pack it is given", () => {
    // A small pack (the chit-chat and help intents): the command path, without training 10,000 examples again.
    const pack = join(dir, "small-pack");
    cpSync(join(__dirname, "../../content"), pack, {
      recursive: true,
      filter: (src) => !src.endsWith(".ts"),
    });
    for (const file of readdirSync(join(pack, "intents")))
      if (file !== "chitchat.yaml" && file !== "help.yaml") rmSync(join(pack, "intents", file));
    const out = join(dir, "model", "small-model.json");
    const { code, out: printed } = run(["train", "--content", pack, "--out", out]);
    expect(code).toBe(0);
    expect(printed).toContain(`wrote ${out}`);
    const classifier = NlpClassifier.fromJSON(readFileSync(out, "utf8"));
    const small = loadContent(pack);
    expect(classifier.intents).toEqual(small.intents.map((i) => i.id).sort());
    expect(classifier.model.meta.examples).toBe(
      contentUtterances(small).length + contentBackground(small).length,
    );
  }, 120_000);

  it("learns from intent titles and keywords too, but never tests on them", () => {
    const hints = contentHints(content);
    expect(hints.length).toBeGreaterThanOrEqual(content.intents.length * content.settings.languages.length);
    expect(hints.every((h) => content.intents.some((i) => i.id === h.intent))).toBe(true);
  });

  it("cross-validates per language", () => {
    const small = { ...content, intents: content.intents.slice(0, 6) };
    const perLanguage = crossValidateContent(small, 2, 2);
    expect(perLanguage.map((l) => l.language)).toEqual(content.settings.languages);
    for (const { result, errors } of perLanguage) {
      expect(result.utterances).toBeGreaterThan(0);
      expect(result.accuracy).toBeGreaterThan(0.5);
      // Every held-out error is listed, one per utterance the accuracy counts as wrong.
      expect(errors).toHaveLength(Math.round(result.utterances * (1 - result.accuracy)));
      for (const error of errors) expect(error.got).not.toBe(error.gold);
    }
  });

  it("lists held-out errors grouped by the pair they confuse, with the best intent of a declined one", () => {
    const text = formatHeldOutErrors([
      {
        text: "ttyl",
        gold: "chitchat.goodbye",
        got: "qa.dynamodb-ttl",
        best: "qa.dynamodb-ttl",
        confidence: 0.9,
      },
      {
        text: "ok ttyl",
        gold: "chitchat.goodbye",
        got: "qa.dynamodb-ttl",
        best: "qa.dynamodb-ttl",
        confidence: 0.8,
      },
      { text: "take care", gold: "chitchat.goodbye", got: "oos", best: "chitchat.goodbye", confidence: 0.4 },
    ]);
    expect(text.split("\n")).toEqual([
      "held-out errors (3; meant -> got, most frequent pair first):",
      "  chitchat.goodbye -> qa.dynamodb-ttl: 2",
      '    "ttyl"',
      '    "ok ttyl"',
      "  chitchat.goodbye -> oos: 1",
      '    "take care" (best intent chitchat.goodbye 0.40)',
    ]);
  });
});
