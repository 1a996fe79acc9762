import {
  type CalibratedPrediction,
  chooseThresholds,
  expectedCalibrationError,
  fitTemperature,
  negativeLogLikelihood,
  operatingPoint,
  type ScoredExample,
} from "../../nlp/calibration";
import { seededRandom, softmax } from "../../nlp/model";

/** Examples whose labels are drawn from softmax(logits / trueTemperature): T = trueTemperature is calibrated. */
function sampled(trueTemperature: number, count: number): ScoredExample[] {
  const random = seededRandom(7);
  const out: ScoredExample[] = [];
  for (let i = 0; i < count; i++) {
    const logits = Array.from({ length: 5 }, () => random() * 6);
    const p = softmax(logits, trueTemperature);
    let r = random();
    let label = 0;
    while (label < 4 && r > (p[label] as number)) r -= p[label++] as number;
    out.push({ logits, label });
  }
  return out;
}

function prediction(confidence: number, correct: boolean, outOfScope = false): CalibratedPrediction {
  return { confidence, correct, outOfScope, predictedOutOfScope: false };
}

describe("temperature scaling", () => {
  it("recovers the temperature that generated the labels", () => {
    expect(fitTemperature(sampled(2, 4000))).toBeGreaterThan(1.7);
    expect(fitTemperature(sampled(2, 4000))).toBeLessThan(2.3);
    expect(fitTemperature(sampled(0.5, 4000))).toBeGreaterThan(0.4);
    expect(fitTemperature(sampled(0.5, 4000))).toBeLessThan(0.6);
  });

  it("never does worse than no scaling on the data it was fitted to", () => {
    const examples = sampled(3, 2000);
    const t = fitTemperature(examples);
    expect(negativeLogLikelihood(examples, t)).toBeLessThanOrEqual(negativeLogLikelihood(examples, 1));
  });

  it("turns overconfident scores into calibrated probabilities (lower expected calibration error)", () => {
    const examples = sampled(3, 4000);
    const ece = (t: number) =>
      expectedCalibrationError(
        examples.map(({ logits, label }) => {
          const p = softmax(logits, t);
          const top = p.indexOf(Math.max(...p));
          return { confidence: p[top] as number, correct: top === label };
        }),
      );
    const fitted = ece(fitTemperature(examples));
    expect(fitted).toBeLessThan(ece(1) / 2);
    expect(fitted).toBeLessThan(0.05);
  });

  it("returns 1 when there is nothing to fit", () => {
    expect(fitTemperature([])).toBe(1);
    expect(fitTemperature([{ logits: [1, 2], label: -1 }])).toBe(1);
  });
});

describe("thresholds", () => {
  it("measures an operating point: in-scope accuracy, OOS recall and precision", () => {
    const predictions = [
      prediction(0.9, true),
      prediction(0.4, true),
      prediction(0.8, false),
      prediction(0.3, false, true),
      prediction(0.7, false, true),
    ];
    expect(operatingPoint(predictions, 0.5)).toEqual({
      low: 0.5,
      inScopeAccuracy: 1 / 3,
      oosRecall: 1 / 2,
      oosPrecision: 1 / 2,
      accuracy: 2 / 5,
    });
  });

  it("with out-of-scope examples, picks the low threshold that best separates them without costing in-scope accuracy", () => {
    const inScope = Array.from({ length: 100 }, (_, i) => prediction(0.5 + i / 200, true));
    const oos = Array.from({ length: 20 }, (_, i) => prediction(0.1 + i / 100, false, true));
    const { low, high } = chooseThresholds([...inScope, ...oos]);
    expect(low).toBeGreaterThan(0.29);
    expect(low).toBeLessThanOrEqual(0.5);
    expect(high).toBeGreaterThanOrEqual(low);
  });

  it("keeps in-scope accuracy within the allowed retention even when rejecting more would catch more OOS", () => {
    const inScope = Array.from({ length: 100 }, (_, i) => prediction(i / 100, true));
    const oos = Array.from({ length: 100 }, (_, i) => prediction(i / 100, false, true));
    const predictions = [...inScope, ...oos];
    const { low } = chooseThresholds(predictions, { minInScopeRetention: 0.9 });
    expect(operatingPoint(predictions, low).inScopeAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  it("without out-of-scope examples, keeps the chosen share of correct answers above the low threshold", () => {
    const predictions = Array.from({ length: 200 }, (_, i) => prediction(i / 200, i >= 20));
    const { low } = chooseThresholds(predictions, { keepCorrect: 0.95 });
    const kept = predictions.filter((p) => p.correct && p.confidence >= low).length;
    expect(kept / 180).toBeGreaterThanOrEqual(0.95);
    expect(low).toBeGreaterThan(0);
  });

  it("puts the high threshold where answers above it are precise enough", () => {
    const predictions = Array.from({ length: 100 }, (_, i) => prediction(i / 100, i >= 50 || i % 2 === 0));
    const { high } = chooseThresholds(predictions, { confidentPrecision: 0.99, keepCorrect: 1 });
    const answered = predictions.filter((p) => p.confidence >= high);
    expect(answered.filter((p) => p.correct).length / answered.length).toBeGreaterThanOrEqual(0.99);
    expect(high).toBeLessThanOrEqual(0.5);
  });

  it("falls back to sensible thresholds when there is no validation evidence", () => {
    expect(chooseThresholds([])).toEqual({ low: 0.3, high: 0.7 });
  });
});
