import { trainClassifier } from "../../nlp/classifier";
import {
  classificationMetrics,
  classifyAll,
  crossValidate,
  type EvaluatedUtterance,
  NO_INTENT,
  percentile,
  summarize,
} from "../../nlp/evaluate";
import type { Classification, IntentClassifier } from "../../nlp/types";
import { fixtureUtterances } from "./fixtures";

function result(gold: string, decided: string, extra: Partial<EvaluatedUtterance> = {}): EvaluatedUtterance {
  return {
    text: gold,
    gold,
    top1: decided,
    best: decided,
    decided,
    decision: "confident",
    candidates: [decided],
    confidence: 0.9,
    predictedOutOfScope: false,
    ms: 0.1,
    ...extra,
  };
}

describe("classification metrics", () => {
  const gold = ["a", "a", "a", "b", "b", "c"];
  const predicted = ["a", "a", "b", "b", "b", "a"];
  const metrics = classificationMetrics(gold, predicted);

  it("computes accuracy and per-intent precision, recall and F1", () => {
    expect(metrics.accuracy).toBeCloseTo(4 / 6);
    const a = metrics.perIntent.find((m) => m.intent === "a");
    expect(a).toEqual({
      intent: "a",
      precision: 2 / 3,
      recall: 2 / 3,
      f1: expect.closeTo(2 / 3),
      support: 3,
    });
    const b = metrics.perIntent.find((m) => m.intent === "b");
    expect(b).toMatchObject({ precision: 2 / 3, recall: 1, support: 2 });
    expect(b?.f1).toBeCloseTo(0.8);
    expect(metrics.perIntent.find((m) => m.intent === "c")).toMatchObject({ precision: 0, recall: 0, f1: 0 });
  });

  it("averages F1 over the gold intents (macro-F1)", () => {
    expect(metrics.macroF1).toBeCloseTo((2 / 3 + 0.8 + 0) / 3);
  });

  it("lists the most confused pairs, largest first, and the full confusion matrix", () => {
    expect(metrics.confusedPairs).toEqual([
      { gold: "a", predicted: "b", count: 1 },
      { gold: "c", predicted: "a", count: 1 },
    ]);
    expect(metrics.confusion).toEqual({
      labels: ["a", "b", "c"],
      counts: [
        [2, 1, 0],
        [0, 2, 0],
        [1, 0, 0],
      ],
    });
  });

  it("takes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([], 50)).toBe(0);
  });
});

describe("summaries with an out-of-scope label", () => {
  const results = [
    result("a", "a"),
    result("a", "oos", { decision: "out_of_scope", best: "a", top1: "a", confidence: 0.2 }),
    result("b", "a"),
    result("oos", "oos", { decision: "out_of_scope", best: "b", top1: "b", confidence: 0.1 }),
    result("oos", "b", { decision: "unsure", confidence: 0.5 }),
  ];
  const summary = summarize(results, { oosLabel: "oos" });

  it("reports in-scope accuracy at the thresholds and for the best class alone", () => {
    expect(summary.oos?.inScopeAccuracy).toBeCloseTo(1 / 3);
    expect(summary.oos?.inScopeAccuracyTop1).toBeCloseTo(2 / 3);
  });

  it("reports OOS recall and precision", () => {
    expect(summary.oos?.oosRecall).toBe(1 / 2);
    expect(summary.oos?.oosPrecision).toBe(1 / 2);
  });

  it("counts how often the right intent is among the 'did you mean' candidates", () => {
    expect(summary.top3Accuracy).toBeCloseTo(1 / 3);
    const offered = summarize([result("a", "b", { candidates: ["b", "a"] }), result("a", "c")]);
    expect(offered.top3Accuracy).toBe(1 / 2);
  });

  it("counts decisions and how often confident answers were right", () => {
    expect(summary.decisions).toEqual({ exact: 0, confident: 2, unsure: 1, out_of_scope: 2 });
    expect(summary.confidentPrecision).toBe(1 / 2);
  });

  it("includes the in-scope accuracy / OOS recall trade-off", () => {
    expect(summary.oos?.operatingPoints.length).toBeGreaterThan(3);
    const recalls = summary.oos?.operatingPoints.map((p) => p.oosRecall) ?? [];
    expect(recalls).toEqual([...recalls].sort((x, y) => x - y));
  });

  it("leaves the out-of-scope block out when the label is absent", () => {
    expect(summarize([result("a", "a")], { oosLabel: "oos" }).oos).toBeUndefined();
  });
});

describe("running a classifier over test data", () => {
  it("works with any IntentClassifier and times every call", () => {
    const fake: IntentClassifier = {
      name: "fake",
      classify: (text): Classification =>
        text === "?"
          ? { decision: "out_of_scope", candidates: [] }
          : { decision: "confident", candidates: [{ intent: text, confidence: 1 }] },
    };
    let clock = 0;
    const results = classifyAll(
      fake,
      [
        { text: "a", intent: "a" },
        { text: "?", intent: "b" },
      ],
      { now: () => (clock += 2) },
    );
    expect(results.map((r) => [r.top1, r.decided, r.ms])).toEqual([
      ["a", "a", 2],
      [NO_INTENT, NO_INTENT, 2],
    ]);
  });

  it("cross-validates: every utterance is predicted once by a model that never saw it", () => {
    const english = fixtureUtterances.filter((u) => u.language === "en");
    const others = fixtureUtterances.filter((u) => u.language !== "en");
    const seen: number[] = [];
    const results = crossValidate(
      english,
      (training) => {
        seen.push(training.length);
        return trainClassifier(training, { calibrationFolds: 2 }).classifier;
      },
      { folds: 4, alwaysTrain: others },
    );
    expect(results.map((r) => r.text).sort()).toEqual(english.map((u) => u.text).sort());
    expect(seen).toEqual([0, 1, 2, 3].map(() => (english.length * 3) / 4 + others.length));
    expect(summarize(results).accuracy).toBeGreaterThan(0.6);
  });
});
