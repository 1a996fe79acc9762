/**
 * Confidence that means something: temperature scaling (Guo et al., 2017) turns raw logits into calibrated
 * probabilities, and the two decision thresholds are chosen on held-out data, never on the training set
 * (where every score is overconfident). Pure functions over arrays of validation scores.
 */

// Module-level aliases for the hot loops (a `Math.x` lookup is slow under jest's sandboxed global).
const { exp, log } = Math;

/** Validation evidence for one utterance: the model's logits and the true class (-1 = out of scope). */
export interface ScoredExample {
  logits: ArrayLike<number>;
  /** Index of the true class; -1 when the utterance is out of scope and has no class of its own. */
  label: number;
}

/** Log of sum of exp, stable. */
function logSumExp(values: ArrayLike<number>, scale: number): number {
  let top = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = (values[i] as number) * scale;
    if (v > top) top = v;
  }
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += exp((values[i] as number) * scale - top);
  return top + log(sum);
}

/** Mean negative log-likelihood of the true classes at `temperature` (examples with label -1 are ignored). */
export function negativeLogLikelihood(examples: ScoredExample[], temperature: number): number {
  const scale = 1 / temperature;
  let total = 0;
  let count = 0;
  for (const { logits, label } of examples) {
    if (label < 0) continue;
    total += logSumExp(logits, scale) - (logits[label] as number) * scale;
    count++;
  }
  return count === 0 ? 0 : total / count;
}

/**
 * Fits the temperature T minimising validation NLL of softmax(logits / T). NLL is convex in 1/T, so a
 * golden-section search over log T in [0.01, 100] finds the optimum. Returns 1 when there is no evidence.
 */
export function fitTemperature(examples: ScoredExample[]): number {
  if (!examples.some((example) => example.label >= 0)) return 1;
  const f = (logT: number) => negativeLogLikelihood(examples, Math.exp(logT));
  let lo = Math.log(0.01);
  let hi = Math.log(100);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = hi - ratio * (hi - lo);
  let b = lo + ratio * (hi - lo);
  let fa = f(a);
  let fb = f(b);
  for (let i = 0; i < 60 && hi - lo > 1e-4; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - ratio * (hi - lo);
      fa = f(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + ratio * (hi - lo);
      fb = f(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * Expected calibration error: the gap between confidence and accuracy, averaged over `bins` equal-width
 * confidence bins weighted by their size. 0 = perfectly calibrated.
 */
export function expectedCalibrationError(
  predictions: { confidence: number; correct: boolean }[],
  bins = 10,
): number {
  if (predictions.length === 0) return 0;
  const count = new Array<number>(bins).fill(0);
  const confidence = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  for (const p of predictions) {
    const bin = Math.min(bins - 1, Math.floor(p.confidence * bins));
    count[bin] = (count[bin] as number) + 1;
    confidence[bin] = (confidence[bin] as number) + p.confidence;
    correct[bin] = (correct[bin] as number) + (p.correct ? 1 : 0);
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const n = count[b] as number;
    if (n > 0)
      ece += (n / predictions.length) * Math.abs((confidence[b] as number) / n - (correct[b] as number) / n);
  }
  return ece;
}

/** One validation prediction after calibration: what a threshold acts on. */
export interface CalibratedPrediction {
  /** Probability of the best in-scope class. */
  confidence: number;
  /** The best class is the right one (always false for out-of-scope utterances). */
  correct: boolean;
  /** The utterance is out of scope (labelled with the out-of-scope label). */
  outOfScope: boolean;
  /** The model's best class is the explicit out-of-scope class. */
  predictedOutOfScope: boolean;
}

/** The two decision thresholds stored in the model: answer above `high`, "did you mean" above `low`. */
export interface Thresholds {
  low: number;
  high: number;
}

/** In-scope accuracy and out-of-scope recall/precision when everything below `low` is rejected. */
export interface OperatingPoint {
  low: number;
  /** Share of in-scope utterances answered with the right intent (not rejected). */
  inScopeAccuracy: number;
  /** Share of out-of-scope utterances rejected. */
  oosRecall: number;
  /** Share of rejected utterances that really were out of scope. */
  oosPrecision: number;
  /** Share of all utterances handled right (right intent, or rejected when out of scope). */
  accuracy: number;
}

/** Evaluates one low threshold on calibrated validation predictions. */
export function operatingPoint(predictions: CalibratedPrediction[], low: number): OperatingPoint {
  let inScope = 0;
  let inScopeRight = 0;
  let oos = 0;
  let oosRejected = 0;
  let rejected = 0;
  for (const p of predictions) {
    const reject = p.predictedOutOfScope || p.confidence < low;
    if (reject) rejected++;
    if (p.outOfScope) {
      oos++;
      if (reject) oosRejected++;
    } else {
      inScope++;
      if (!reject && p.correct) inScopeRight++;
    }
  }
  return {
    low,
    inScopeAccuracy: inScope === 0 ? 0 : inScopeRight / inScope,
    oosRecall: oos === 0 ? 0 : oosRejected / oos,
    oosPrecision: rejected === 0 ? 0 : oosRejected / rejected,
    accuracy: predictions.length === 0 ? 0 : (inScopeRight + oosRejected) / predictions.length,
  };
}

/** How to choose thresholds; defaults suit both benchmark data (with OOS examples) and content packs (without). */
export interface ThresholdOptions {
  /**
   * With out-of-scope validation examples: the low threshold maximises in-scope accuracy + OOS recall
   * (balanced; maximising plain accuracy rejects nothing when OOS examples are rare) subject to keeping
   * in-scope accuracy at least `minInScopeAccuracy` of its unthresholded value.
   */
  minInScopeRetention: number;
  /** Without OOS examples: the low threshold keeps this share of correctly classified validation utterances. */
  keepCorrect: number;
  /** The high threshold: the smallest confidence above which validation answers are at least this precise. */
  confidentPrecision: number;
}

/** Defaults: keep 99% of in-scope accuracy, keep 98% of correct answers, 97%-precise confident answers. */
export const defaultThresholdOptions: ThresholdOptions = {
  minInScopeRetention: 0.99,
  keepCorrect: 0.98,
  confidentPrecision: 0.97,
};

/** Candidate thresholds: every distinct validation confidence (plus 0), so the search is exact. */
function candidates(predictions: CalibratedPrediction[]): number[] {
  return [0, ...new Set(predictions.map((p) => p.confidence))].sort((a, b) => a - b);
}

/** The trade-off curve: the operating point at each of a few low thresholds, for reports and docs. */
export function tradeOff(
  predictions: CalibratedPrediction[],
  lows: number[] = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
): OperatingPoint[] {
  return lows.map((low) => operatingPoint(predictions, low));
}

/**
 * Chooses `low` and `high` on calibrated validation predictions (see {@link ThresholdOptions}).
 * Always returns 0 <= low <= high <= 1.
 */
export function chooseThresholds(
  predictions: CalibratedPrediction[],
  options: Partial<ThresholdOptions> = {},
): Thresholds {
  const opts = { ...defaultThresholdOptions, ...options };
  if (predictions.length === 0) return { low: 0.3, high: 0.7 };
  const points = candidates(predictions);
  let low = 0;
  const hasOos = predictions.some((p) => p.outOfScope);
  if (hasOos) {
    const floor = operatingPoint(predictions, 0).inScopeAccuracy * opts.minInScopeRetention;
    let best = Number.NEGATIVE_INFINITY;
    for (const t of points) {
      const point = operatingPoint(predictions, t);
      if (point.inScopeAccuracy < floor) break; // in-scope accuracy only falls as t grows
      const score = point.inScopeAccuracy + point.oosRecall;
      if (score > best) {
        best = score;
        low = t;
      }
    }
  } else {
    const correct = predictions
      .filter((p) => p.correct)
      .map((p) => p.confidence)
      .sort((a, b) => a - b);
    const drop = Math.floor(correct.length * (1 - opts.keepCorrect));
    low = correct.length === 0 ? 0.5 : (correct[drop] as number);
  }
  // High: the smallest t >= low where answers at or above t are at least `confidentPrecision` right.
  const answered = predictions.filter((p) => !p.predictedOutOfScope);
  const sorted = [...answered].sort((a, b) => b.confidence - a.confidence);
  let high = 1;
  let right = 0;
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i] as CalibratedPrediction;
    if (p.correct) right++;
    const next = sorted[i + 1];
    // Only cut between distinct confidences.
    if (next && next.confidence === p.confidence) continue;
    if (right / (i + 1) >= opts.confidentPrecision) high = p.confidence;
  }
  high = Math.max(high, low);
  return { low, high };
}
