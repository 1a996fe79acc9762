import { extractFeatures, maxStemmedLength } from "../../nlp/features";

describe("long tokens", () => {
  it("are not stemmed: the Porter stemmer is quadratic (16,384 consonants took ~3 s)", () => {
    const started = performance.now();
    extractFeatures("x".repeat(16_384), "en");
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("up to the cap, words are stemmed as before", () => {
    const long = `${"walk".repeat(15)}ing`; // 63 characters
    expect(long.length).toBeLessThanOrEqual(maxStemmedLength);
    expect([...extractFeatures(long, "en").keys()]).toContain(`s ${"walk".repeat(15)}`);
  });
});
