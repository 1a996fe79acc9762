/**
 * Evaluation of an intent classifier: accuracy, macro-F1, per-intent precision/recall/F1, the most confused
 * pairs, out-of-scope metrics at the classifier's thresholds, latency percentiles, and k-fold
 * cross-validation. Pure functions over utterances and predictions; the CLI does the file I/O.
 */
import { type CalibratedPrediction, type OperatingPoint, tradeOff } from "./calibration";
import { type NlpClassifier, stratifiedFolds } from "./classifier";
import type { Decision, IntentClassifier, LabelledUtterance } from "./types";

/** The label used for "rejected" when the data has no out-of-scope label of its own. */
export const NO_INTENT = "(none)";

/** One test utterance after classification. */
export interface EvaluatedUtterance {
  text: string;
  gold: string;
  /** The model's best class, including an explicit out-of-scope class, ignoring thresholds. */
  top1: string;
  /** The best in-scope intent (what "did you mean" would offer first), or NO_INTENT. */
  best: string;
  /** What the bot would do: the best intent, or the out-of-scope label when the decision rejects it. */
  decided: string;
  decision: Decision;
  /** The intents "did you mean" would offer (best first, at most 3). */
  candidates: string[];
  /** Calibrated probability of `best`. */
  confidence: number;
  /** The model's best class was the explicit out-of-scope class. */
  predictedOutOfScope: boolean;
  /** Time to classify, in milliseconds. */
  ms: number;
}

/** Precision, recall and F1 of one intent. */
export interface IntentMetrics {
  intent: string;
  precision: number;
  recall: number;
  f1: number;
  /** Test utterances of this intent. */
  support: number;
}

/** A pair the classifier mixes up: `count` utterances of `gold` predicted as `predicted`. */
export interface ConfusedPair {
  gold: string;
  predicted: string;
  count: number;
}

/** Out-of-scope metrics, present when the test data holds the out-of-scope label. */
export interface OutOfScopeMetrics {
  label: string;
  /** In-scope utterances answered with the right intent at the classifier's thresholds. */
  inScopeAccuracy: number;
  /** In-scope accuracy of the best class alone (no thresholds): the number papers report. */
  inScopeAccuracyTop1: number;
  /** Out-of-scope utterances rejected at the thresholds. */
  oosRecall: number;
  /** Rejected utterances that really were out of scope. */
  oosPrecision: number;
  /** The in-scope accuracy / OOS recall trade-off at other low thresholds. */
  operatingPoints: OperatingPoint[];
}

/** Everything `nlp evaluate` prints. */
export interface EvaluationResult {
  utterances: number;
  /** Best-class accuracy (out-of-scope counts as a class). */
  accuracy: number;
  /** Share of in-scope utterances whose intent is among the (up to 3) candidates: what "did you mean" can fix. */
  top3Accuracy: number;
  macroF1: number;
  perIntent: IntentMetrics[];
  confusedPairs: ConfusedPair[];
  confusion: { labels: string[]; counts: number[][] };
  oos?: OutOfScopeMetrics;
  /** How often each decision was taken, and how often `confident` answers were right. */
  decisions: Record<Decision, number>;
  confidentPrecision: number;
  latency: { p50: number; p99: number; mean: number };
}

/** The p-th percentile (0-100) by nearest rank; 0 for no values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Accuracy, macro-F1 (over the gold labels), per-intent metrics, confusion matrix and top confusions. */
export function classificationMetrics(
  gold: string[],
  predicted: string[],
  topPairs = 10,
): Pick<EvaluationResult, "accuracy" | "macroF1" | "perIntent" | "confusedPairs" | "confusion"> {
  const labels = [...new Set([...gold, ...predicted])].sort();
  const at = new Map(labels.map((label, i) => [label, i]));
  const counts = labels.map(() => new Array<number>(labels.length).fill(0));
  let right = 0;
  gold.forEach((g, i) => {
    const p = predicted[i] as string;
    if (g === p) right++;
    const row = counts[at.get(g) as number] as number[];
    const col = at.get(p) as number;
    row[col] = (row[col] as number) + 1;
  });
  const goldLabels = [...new Set(gold)].sort();
  const perIntent = goldLabels.map((intent) => {
    const i = at.get(intent) as number;
    const tp = (counts[i] as number[])[i] as number;
    const support = (counts[i] as number[]).reduce((a, b) => a + b, 0);
    const predictedAs = counts.reduce((sum, row) => sum + (row[i] as number), 0);
    const precision = predictedAs === 0 ? 0 : tp / predictedAs;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { intent, precision, recall, f1, support };
  });
  const confusedPairs: ConfusedPair[] = [];
  labels.forEach((g, i) => {
    labels.forEach((p, j) => {
      const count = (counts[i] as number[])[j] as number;
      if (i !== j && count > 0) confusedPairs.push({ gold: g, predicted: p, count });
    });
  });
  confusedPairs.sort(
    (a, b) => b.count - a.count || a.gold.localeCompare(b.gold) || a.predicted.localeCompare(b.predicted),
  );
  return {
    accuracy: gold.length === 0 ? 0 : right / gold.length,
    macroF1: perIntent.length === 0 ? 0 : perIntent.reduce((sum, m) => sum + m.f1, 0) / perIntent.length,
    perIntent,
    confusedPairs: confusedPairs.slice(0, topPairs),
    confusion: { labels, counts },
  };
}

/** Summarises classified utterances; `oosLabel` enables the out-of-scope metrics when it occurs in gold. */
export function summarize(
  results: EvaluatedUtterance[],
  options: { oosLabel?: string } = {},
): EvaluationResult {
  const metrics = classificationMetrics(
    results.map((r) => r.gold),
    results.map((r) => r.top1),
  );
  const decisions: Record<Decision, number> = { exact: 0, confident: 0, unsure: 0, out_of_scope: 0 };
  let confidentRight = 0;
  for (const r of results) {
    decisions[r.decision]++;
    if ((r.decision === "confident" || r.decision === "exact") && r.best === r.gold) confidentRight++;
  }
  const answered = decisions.confident + decisions.exact;
  const times = results.map((r) => r.ms);
  const inScopeResults = results.filter((r) => r.gold !== options.oosLabel);
  const result: EvaluationResult = {
    utterances: results.length,
    ...metrics,
    top3Accuracy: share(inScopeResults, (r) => r.candidates.includes(r.gold)),
    decisions,
    confidentPrecision: answered === 0 ? 0 : confidentRight / answered,
    latency: {
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      mean: times.length === 0 ? 0 : times.reduce((a, b) => a + b, 0) / times.length,
    },
  };
  const oosLabel = options.oosLabel;
  if (oosLabel !== undefined && results.some((r) => r.gold === oosLabel)) {
    const inScope = results.filter((r) => r.gold !== oosLabel);
    const oos = results.filter((r) => r.gold === oosLabel);
    const rejected = results.filter((r) => r.decided === oosLabel);
    result.oos = {
      label: oosLabel,
      inScopeAccuracy: share(inScope, (r) => r.decided === r.gold),
      inScopeAccuracyTop1: share(inScope, (r) => r.top1 === r.gold),
      oosRecall: share(oos, (r) => r.decided === oosLabel),
      oosPrecision: share(rejected, (r) => r.gold === oosLabel),
      operatingPoints: tradeOff(results.map((r) => toCalibrated(r, oosLabel))),
    };
  }
  return result;
}

function share<T>(items: T[], predicate: (item: T) => boolean): number {
  return items.length === 0 ? 0 : items.filter(predicate).length / items.length;
}

function toCalibrated(r: EvaluatedUtterance, oosLabel: string): CalibratedPrediction {
  return {
    confidence: r.confidence,
    correct: r.best === r.gold && !r.predictedOutOfScope,
    outOfScope: r.gold === oosLabel,
    predictedOutOfScope: r.predictedOutOfScope,
  };
}

function isNlp(classifier: IntentClassifier): classifier is NlpClassifier {
  return typeof (classifier as Partial<NlpClassifier>).explain === "function";
}

/**
 * Classifies every test utterance and times each call. Works with any `IntentClassifier`; an
 * `NlpClassifier` also reports its explicit out-of-scope class.
 */
export function classifyAll(
  classifier: IntentClassifier,
  test: LabelledUtterance[],
  options: { oosLabel?: string; defaultLanguage?: string; now?: () => number } = {},
): EvaluatedUtterance[] {
  const rejectedAs = options.oosLabel ?? NO_INTENT;
  const now = options.now ?? (() => performance.now());
  return test.map((u) => {
    const language = u.language ?? options.defaultLanguage ?? "en";
    const start = now();
    const explained = isNlp(classifier) ? classifier.explain(u.text, language) : undefined;
    const classification = explained ?? classifier.classify(u.text, language);
    const ms = now() - start;
    const best = classification.candidates[0]?.intent ?? NO_INTENT;
    const predictedOutOfScope = explained?.predictedOutOfScope ?? false;
    return {
      text: u.text,
      gold: u.intent,
      top1: predictedOutOfScope || best === NO_INTENT ? rejectedAs : best,
      best,
      decided: classification.decision === "out_of_scope" ? rejectedAs : best,
      decision: classification.decision,
      candidates: classification.candidates.map((c) => c.intent),
      confidence: explained?.confidence ?? classification.candidates[0]?.confidence ?? 0,
      predictedOutOfScope,
      ms,
    };
  });
}

/**
 * k-fold cross-validation, stratified by intent: trains on k-1 folds of `utterances` (plus `alwaysTrain`,
 * e.g. the other languages of a content pack) and classifies the held-out fold; returns every held-out
 * result, so each utterance is predicted exactly once by a model that never saw it.
 */
export function crossValidate(
  utterances: LabelledUtterance[],
  train: (training: LabelledUtterance[]) => IntentClassifier,
  options: { folds?: number; seed?: number; alwaysTrain?: LabelledUtterance[]; oosLabel?: string } = {},
): EvaluatedUtterance[] {
  const folds = stratifiedFolds(
    utterances.map((u) => u.intent),
    options.folds ?? 5,
    options.seed ?? 1,
  );
  const results: EvaluatedUtterance[] = [];
  for (const held of folds) {
    if (held.length === 0) continue;
    const heldSet = new Set(held);
    const training = [...utterances.filter((_, i) => !heldSet.has(i)), ...(options.alwaysTrain ?? [])];
    const classifier = train(training);
    results.push(
      ...classifyAll(
        classifier,
        held.map((i) => utterances[i] as LabelledUtterance),
        options.oosLabel === undefined ? {} : { oosLabel: options.oosLabel },
      ),
    );
  }
  return results;
}
