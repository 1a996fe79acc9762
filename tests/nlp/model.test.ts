import {
  decodeLinearModel,
  encodedWeightBytes,
  encodeLinearModel,
  type LinearModel,
  ModelFormatError,
  ModelTrainingError,
  pruneToBudget,
  scoreText,
  seededRandom,
  shuffleInPlace,
  softmax,
  trainLinearModel,
} from "../../nlp/model";
import { fixtureIntents, fixtureUtterances } from "./fixtures";

const index = new Map(fixtureIntents.map((intent, i) => [intent, i]));
const examples = fixtureUtterances.map((u) => ({
  text: u.text,
  label: index.get(u.intent) as number,
  language: u.language ?? "en",
}));

function best(model: LinearModel, text: string, language: string): string {
  const { logits } = scoreText(model, text, language);
  let top = 0;
  for (let c = 1; c < logits.length; c++) if ((logits[c] as number) > (logits[top] as number)) top = c;
  return model.labels[top] as string;
}

describe("the linear model", () => {
  const model = trainLinearModel(examples, fixtureIntents);

  it("learns the training set and generalises to new phrasings", () => {
    const wrong = examples.filter((e) => best(model, e.text, e.language) !== fixtureIntents[e.label]);
    expect(wrong).toEqual([]);
    expect(best(model, "what's the memory limit of a function", "en")).toBe("qa.lambda-memory");
    expect(best(model, "how much will lambda cost me", "en")).toBe("qa.pricing");
  });

  it("also learns with the softmax loss", () => {
    const softmaxModel = trainLinearModel(examples, fixtureIntents, { loss: "softmax", learningRate: 0.5 });
    expect(best(softmaxModel, "lambda timeout limit please", "en")).toBe("qa.lambda-timeout");
  });

  it("is deterministic for a seed, byte for byte", () => {
    const again = trainLinearModel(examples, fixtureIntents);
    expect(encodeLinearModel(again).data).toBe(encodeLinearModel(model).data);
    const otherSeed = trainLinearModel(examples, fixtureIntents, { seed: 2 });
    expect(encodeLinearModel(otherSeed).data).not.toBe(encodeLinearModel(model).data);
  });

  it("adds a softmax companion by default, deterministically, and can go without it", () => {
    const alone = trainLinearModel(examples, fixtureIntents, { companion: { weight: 0 } });
    expect(encodeLinearModel(alone).data).not.toBe(encodeLinearModel(model).data);
    const again = trainLinearModel(examples, fixtureIntents, { companion: { weight: 0 } });
    expect(encodeLinearModel(again).data).toBe(encodeLinearModel(alone).data);
    for (const m of [model, alone]) {
      const wrong = examples.filter((e) => best(m, e.text, e.language) !== fixtureIntents[e.label]);
      expect(wrong).toEqual([]);
    }
    // A hinge model as the companion of a softmax one works the same way.
    const swapped = trainLinearModel(examples, fixtureIntents, {
      loss: "softmax",
      learningRate: 0.5,
      companion: { weight: 1, learningRate: 0.03 },
    });
    expect(best(swapped, "lambda timeout limit please", "en")).toBe("qa.lambda-timeout");
  });

  it("stores only the weights that matter, as 8-bit values", () => {
    expect(model.weights).toBeInstanceOf(Int8Array);
    expect(model.weights.length).toBeLessThan(model.buckets.length * fixtureIntents.length);
    expect(model.rowStart[model.buckets.length]).toBe(model.weights.length);
  });

  it("round-trips through its encoded form with identical scores", () => {
    const encoded = JSON.parse(JSON.stringify(encodeLinearModel(model)));
    const decoded = decodeLinearModel(encoded);
    for (const text of ["lambda memory", "xin chào", "謝謝你", "unknown words only"])
      expect(scoreText(decoded, text, "en")).toEqual(scoreText(model, text, "en"));
  });

  it("rejects a damaged encoding with an error that says how to rebuild it", () => {
    const encoded = encodeLinearModel(model);
    expect(() => decodeLinearModel({ ...encoded, nonZero: encoded.nonZero + 1 })).toThrow(ModelFormatError);
    expect(() => decodeLinearModel({ ...encoded, data: encoded.data.slice(0, 40) })).toThrow(
      /npm run nlp:train/,
    );
  });

  it("reports how much of the input it knows: gibberish shares only a few light character bigrams", () => {
    expect(scoreText(model, "ωψξ", "en").knownFeatures).toBe(0);
    expect(scoreText(model, "qwzx vbnm", "en").coverage).toBeLessThan(0.05);
    expect(scoreText(model, "lambda memory", "en").coverage).toBeCloseTo(1, 5);
    expect(scoreText(model, "lambda qwzx", "en").knownFeatures).toBeGreaterThan(0);
  });

  it("refuses to train without two intents, naming what to add", () => {
    expect(() => trainLinearModel([{ text: "hi", label: 0 }], ["chitchat.greet"])).toThrow(
      ModelTrainingError,
    );
    expect(() => trainLinearModel([{ text: "hi", label: 5 }], ["a", "b"])).toThrow(/class index 5/);
  });
});

describe("model helpers", () => {
  it("seeded shuffles are reproducible", () => {
    const a = shuffleInPlace([1, 2, 3, 4, 5, 6, 7, 8], seededRandom(42));
    const b = shuffleInPlace([1, 2, 3, 4, 5, 6, 7, 8], seededRandom(42));
    expect(a).toEqual(b);
    expect([...a].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("softmax is a distribution and temperature sharpens or flattens it", () => {
    const p = softmax([2, 1, 0]);
    expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(softmax([2, 1, 0], 0.5)[0]).toBeGreaterThan(p[0] as number);
    expect(softmax([2, 1, 0], 10)[0]).toBeLessThan(p[0] as number);
    expect(softmax([1000, 0])[0]).toBe(1);
  });
});

describe("pruning to a size budget", () => {
  const full = trainLinearModel(examples, fixtureIntents, { prune: 0 });

  it("keeps the model as it is when it fits", () => {
    expect(pruneToBudget(full, encodedWeightBytes(full))).toBe(full);
  });

  it("drops the smallest weights until the encoded weights fit, and still classifies the same", () => {
    const budget = Math.round(encodedWeightBytes(full) * 0.7);
    const pruned = pruneToBudget(full, budget);
    expect(encodedWeightBytes(pruned)).toBeLessThanOrEqual(budget);
    expect(pruned.weights.length).toBeLessThan(full.weights.length);
    expect(pruned.buckets).toBe(full.buckets);
    const best = (model: LinearModel, text: string, language?: string) => {
      const { logits } = scoreText(model, text, language);
      return logits.indexOf(Math.max(...logits));
    };
    const same = examples.filter((e) => best(pruned, e.text, e.language) === best(full, e.text, e.language));
    expect(same.length / examples.length).toBeGreaterThan(0.95);
    expect(decodeLinearModel(encodeLinearModel(pruned)).weights).toEqual(pruned.weights);
  });
});
