import {
  type ClassifierModel,
  deserializeModel,
  NlpClassifier,
  serializeModel,
  stratifiedFolds,
  trainClassifier,
  withFoldedCopies,
} from "../../nlp/classifier";
import { ModelFormatError, ModelTrainingError } from "../../nlp/model";
import type { IntentClassifier, LabelledUtterance } from "../../nlp/types";
import { fixtureIntents, fixtureUtterances } from "./fixtures";

const trained = trainClassifier(fixtureUtterances);
const classifier: IntentClassifier = trained.classifier;

/** The same classifier with other thresholds, to exercise each decision. */
function withThresholds(low: number, high: number): NlpClassifier {
  return new NlpClassifier({ ...trained.model, thresholds: { low, high } });
}

describe("the NLP classifier", () => {
  it("implements the IntentClassifier port under the name nlp", () => {
    expect(classifier.name).toBe("nlp");
    expect(trained.classifier.intents).toEqual(fixtureIntents);
  });

  it.each([
    ["en", "what's the most memory my lambda can use", "qa.lambda-memory"],
    ["en", "my lambda keeps timing out", "qa.lambda-timeout"],
    ["en", "how much do i pay for lambda", "qa.pricing"],
    ["en", "hello there!", "chitchat.greet"],
    ["vi", "bộ nhớ lambda tối đa bao nhiêu vậy", "qa.lambda-memory"],
    ["vi", "lambda tính giá thế nào", "qa.pricing"],
    ["vi", "cảm ơn bạn nhiều nhé", "chitchat.thanks"],
    ["zh-TW", "lambda 記憶體最多多少", "qa.lambda-memory"],
    ["zh-TW", "執行多久會逾時", "qa.lambda-timeout"],
    ["zh-TW", "謝謝你的幫忙", "chitchat.thanks"],
  ])("understands %s: %s", (language, text, intent) => {
    expect(classifier.classify(text, language).candidates[0]?.intent).toBe(intent);
  });

  it("understands Vietnamese typed without diacritics as well as with them", () => {
    for (const [plain, intent] of [
      ["bo nho toi da cua lambda la bao nhieu", "qa.lambda-memory"],
      ["lambda chay toi da duoc bao lau", "qa.lambda-timeout"],
      ["cam on ban", "chitchat.thanks"],
      ["xin chao", "chitchat.greet"],
    ] as const)
      expect(classifier.classify(plain, "vi").candidates[0]?.intent).toBe(intent);
  });

  it("copies accented utterances without diacritics for training, and leaves the rest alone", () => {
    const copies = withFoldedCopies([
      { text: "Cảm ơn", intent: "t", language: "vi" },
      { text: "thanks", intent: "t" },
      { text: "謝謝", intent: "t" },
    ]);
    expect(copies.map((u) => u.text)).toEqual(["Cảm ơn", "cam on", "thanks", "謝謝"]);
  });

  it("tolerates typos through character n-grams", () => {
    expect(classifier.classify("how much memmory can my lamda have", "en").candidates[0]?.intent).toBe(
      "qa.lambda-memory",
    );
    expect(classifier.classify("how long can a lamda functon run", "en").candidates[0]?.intent).toBe(
      "qa.lambda-timeout",
    );
    expect(classifier.classify("thnaks a lot", "en").candidates[0]?.intent).toBe("chitchat.thanks");
  });

  it.each([
    ["empty text", ""],
    ["only spaces and punctuation", "  ?!  "],
    ["only unknown words", "zxqv wkpt brrm"],
    ["an unknown script", "ωψξ ζφ"],
  ])("never picks an intent for %s", (_, text) => {
    expect(classifier.classify(text, "en")).toEqual({ decision: "out_of_scope", candidates: [] });
  });

  it("offers at most three candidates, best first, as probabilities", () => {
    const { candidates } = classifier.classify("lambda limit", "en");
    expect(candidates.length).toBe(3);
    const confidences = candidates.map((c) => c.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    expect(confidences.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-9);
    expect(confidences.every((c) => c > 0 && c < 1)).toBe(true);
  });

  it("answers above the high threshold, asks 'did you mean' between, and rejects below the low one", () => {
    const text = "lambda memory limit";
    const confidence = classifier.classify(text, "en").candidates[0]?.confidence as number;
    expect(withThresholds(confidence / 2, confidence).classify(text, "en").decision).toBe("confident");
    expect(withThresholds(confidence / 2, Math.min(1, confidence + 0.01)).classify(text, "en").decision).toBe(
      "unsure",
    );
    expect(withThresholds(Math.min(1, confidence + 0.01), 1).classify(text, "en")).toMatchObject({
      decision: "out_of_scope",
      candidates: [{ intent: "qa.lambda-memory" }, {}, {}],
    });
  });

  it("stores thresholds chosen on held-out predictions, with low <= high, and a fitted temperature", () => {
    const { thresholds, temperature, meta } = trained.model;
    expect(thresholds.low).toBeGreaterThan(0);
    expect(thresholds.low).toBeLessThanOrEqual(thresholds.high);
    expect(thresholds.high).toBeLessThanOrEqual(1);
    expect(temperature).toBeGreaterThan(0);
    expect(meta).toMatchObject({
      calibration: "5-fold out-of-fold predictions",
      calibrationExamples: fixtureUtterances.length,
    });
    expect(meta.languages).toEqual(["en", "vi", "zh-TW"]);
  });

  it("rejects utterances on an explicit out-of-scope class and never offers that class", () => {
    const oos: LabelledUtterance[] = [
      "what's the weather tomorrow",
      "play some jazz music",
      "book a table for two tonight",
      "who won the football game",
      "set an alarm for six",
      "tell me the news",
      "order a pizza",
      "what's the capital of france",
    ].map((text) => ({ text, intent: "oos", language: "en" }));
    const withOos = trainClassifier([...fixtureUtterances, ...oos], { oosLabel: "oos" }).classifier;
    const result = withOos.classify("will it rain tomorrow, what's the weather", "en");
    expect(result.decision).toBe("out_of_scope");
    expect(result.candidates.map((c) => c.intent)).not.toContain("oos");
    expect(withOos.explain("will it rain tomorrow, what's the weather", "en").top).toBe("oos");
    expect(withOos.classify("lambda memory limit", "en").candidates[0]?.intent).toBe("qa.lambda-memory");
  });

  it("uses a validation set for calibration when given one", () => {
    const validation = fixtureUtterances.filter((_, i) => i % 5 === 0);
    const model = trainClassifier(
      fixtureUtterances.filter((_, i) => i % 5 !== 0),
      { validation },
    ).model;
    expect(model.meta).toMatchObject({
      calibration: "validation set",
      calibrationExamples: validation.length,
    });
  });

  it("refuses to train on fewer than two intents, saying what is needed", () => {
    expect(() => trainClassifier([{ text: "hi", intent: "chitchat.greet" }])).toThrow(ModelTrainingError);
    expect(() => trainClassifier([])).toThrow(/at least two intents/);
  });
});

describe("the model file", () => {
  const json = serializeModel(trained.model);

  it("round-trips: a loaded classifier decides exactly like the trained one", () => {
    const loaded = NlpClassifier.fromJSON(json);
    for (const u of fixtureUtterances.slice(0, 40))
      expect(loaded.classify(u.text, u.language ?? "en")).toEqual(
        classifier.classify(u.text, u.language ?? "en"),
      );
    expect(NlpClassifier.fromJSON(JSON.parse(json)).classify("xin chào", "vi")).toEqual(
      classifier.classify("xin chào", "vi"),
    );
  });

  it("is deterministic: the same data and seed give the same file", () => {
    expect(serializeModel(trainClassifier(fixtureUtterances).model)).toBe(json);
  });

  it("is small and loads fast", () => {
    expect(json.length).toBeLessThan(200_000);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      NlpClassifier.fromJSON(json);
      times.push(performance.now() - started);
    }
    expect(Math.min(...times)).toBeLessThan(20);
  });

  it("is plain ASCII (fast to decode at cold start) and keeps Chinese and Vietnamese words as they were", () => {
    const gated = { "chitchat.greet": ["你好", "哈囉", "chào", "😀"] };
    const file = serializeModel({ ...trained.model, gated });
    expect(file).toMatch(/^[\x20-\x7e]*$/);
    expect(file).toContain("\\u4f60\\u597d");
    expect(deserializeModel(file).gated).toEqual(gated);
    expect(deserializeModel(JSON.parse(file)).gated).toEqual(gated);
  });

  it("rejects files that are not a model of this version, saying how to rebuild", () => {
    expect(() => deserializeModel("not json")).toThrow(ModelFormatError);
    expect(() => deserializeModel({ format: "something-else" })).toThrow(/npm run nlp:train/);
    const file = JSON.parse(json);
    expect(() => deserializeModel({ ...file, version: 99 })).toThrow(/version 99/);
  });

  it("keeps the thresholds, temperature and coverage floor", () => {
    const loaded: ClassifierModel = deserializeModel(json);
    expect(loaded.thresholds).toEqual(trained.model.thresholds);
    expect(loaded.temperature).toBe(trained.model.temperature);
    expect(loaded.minCoverage).toBe(trained.model.minCoverage);
  });
});

describe("stratified folds", () => {
  it("splits every label across folds, each index exactly once, reproducibly", () => {
    const labels = ["a", "a", "a", "a", "a", "b", "b", "b", "b", "b"];
    const folds = stratifiedFolds(labels, 5, 3);
    expect(folds.flat().sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const fold of folds) expect(fold.map((i) => labels[i]).sort()).toEqual(["a", "b"]);
    expect(stratifiedFolds(labels, 5, 3)).toEqual(folds);
  });
});

describe("gated intents (chit-chat answered only when clearly chit-chat)", () => {
  const gated = trainClassifier(fixtureUtterances, { gatedIntents: ["chitchat.greet", "chitchat.thanks"] });
  const reloaded = NlpClassifier.fromJSON(serializeModel(gated.model));

  it("answers a message made of the intent's own words", () => {
    for (const classifier of [gated.classifier, reloaded]) {
      const result = classifier.classify("hello there", "en");
      expect([result.decision, result.candidates[0]?.intent]).toEqual(["confident", "chitchat.greet"]);
    }
  });

  it("asks instead of answering when a word is foreign to the small talk, whatever the confidence", () => {
    const text = "hello bucket";
    const ungated = trained.classifier.classify(text, "en");
    expect(ungated.candidates[0]?.intent).toBe("chitchat.greet");
    for (const classifier of [gated.classifier, reloaded]) {
      const result = classifier.classify(text, "en");
      expect(result.decision).not.toBe("confident");
      expect(result.candidates[0]?.intent).toBe("chitchat.greet");
    }
  });

  it("stores the gated intents' words in the model file", () => {
    expect(Object.keys(gated.model.gated ?? {})).toEqual(["chitchat.greet", "chitchat.thanks"]);
    expect(reloaded.model.gated?.["chitchat.greet"]).toContain("hello");
    expect(trained.model.gated).toBeUndefined();
  });
});
