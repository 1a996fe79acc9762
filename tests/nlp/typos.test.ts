import { NlpClassifier, serializeModel, trainClassifier } from "../../nlp/classifier";
import { allowedDistance, editDistance, TypoCorrector } from "../../nlp/typos";
import { fixtureUtterances } from "./fixtures";

describe("edit distance (optimal string alignment)", () => {
  it.each([
    ["lamda", "lambda", 1],
    ["timout", "timeout", 1],
    ["variabels", "variables", 1],
    ["botfahter", "botfather", 1],
    ["enviroment", "environment", 1],
    ["cros", "cors", 1],
    ["kitten", "sitting", 3],
  ])("%s -> %s is %i", (a, b, distance) => {
    expect(editDistance(a, b, 5)).toBe(distance);
  });

  it("stops early above the bound", () => {
    expect(editDistance("kitten", "sitting", 1)).toBe(2);
    expect(editDistance("a", "abcdef", 2)).toBe(3);
  });

  it("allows one edit in short words and two from eight letters", () => {
    expect([4, 7, 8, 12].map(allowedDistance)).toEqual([1, 1, 2, 2]);
  });
});

describe("the typo corrector", () => {
  const texts = [
    ...Array.from({ length: 30 }, () => "lambda timeout environment variables"),
    ...Array.from({ length: 10 }, () => "cors error in the browser"),
    "my lamda is slow",
    "nhanh hơn",
    "bộ nhớ lambda",
    "lambda 記憶體",
  ];
  const corrector = TypoCorrector.fromTexts(texts);

  it("corrects unknown words to the closest known word", () => {
    expect(corrector.correct("enviroment variabels").text).toBe("environment variables");
    expect(corrector.correct("cors eror").corrections).toEqual([{ from: "eror", to: "error" }]);
  });

  it("also corrects a known word when a far more frequent one is one edit away (a typo in the examples)", () => {
    expect(corrector.words).toContain("lamda");
    expect(corrector.correct("lamda timout").text).toBe("lambda timeout");
  });

  it("leaves known words, short words, numbers, Chinese and accented words alone", () => {
    for (const text of ["lambda timeout", "the cor", "lambda 記憶體 12", "bộ nhớ"])
      expect(corrector.correct(text)).toEqual({ text, corrections: [] });
  });

  it("leaves words with nothing close alone", () => {
    expect(corrector.correct("quantum chromodynamics").corrections).toEqual([]);
  });

  it("round-trips through the model file's form", () => {
    const copy = TypoCorrector.deserialize(corrector.serialize());
    expect(copy.words).toEqual(corrector.words);
    expect(copy.correct("enviroment variabels lamda").text).toBe("environment variables lambda");
  });
});

describe("typo correction in the classifier", () => {
  const withTypos = trainClassifier(fixtureUtterances);
  const without = trainClassifier(fixtureUtterances, { correctTypos: false });

  it("stores the vocabulary in the model file and corrects before classifying", () => {
    const loaded = NlpClassifier.fromJSON(serializeModel(withTypos.model));
    const explained = loaded.explain("maximm memmory of a lamdba", "en");
    expect(explained.corrections.map((c) => c.to)).toEqual(["maximum", "memory", "lambda"]);
    expect(explained.candidates[0]?.intent).toBe("qa.lambda-memory");
  });

  it("understands misspelt key words better than the same model without correction", () => {
    const typos = [
      ["maximm memmory of a lamdba", "qa.lambda-memory"],
      ["lamdba timout", "qa.lambda-timeout"],
      ["how much do I pay for lamdba, the pricng", "qa.pricing"],
    ];
    const confidence = (classifier: NlpClassifier, text: string, intent: string) =>
      classifier.classify(text, "en").candidates.find((c) => c.intent === intent)?.confidence ?? 0;
    for (const [text, intent] of typos as [string, string][])
      expect(confidence(withTypos.classifier, text, intent)).toBeGreaterThan(
        confidence(without.classifier, text, intent),
      );
    expect(without.model.corrector).toBeUndefined();
  });
});
