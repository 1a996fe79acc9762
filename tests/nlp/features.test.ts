import {
  defaultFeatureOptions,
  extractFeatures,
  featureKey,
  hashedFeatures,
  hashString,
  tokenize,
} from "../../nlp/features";
import { matchKey, normalize, stripDiacritics } from "../../nlp/normalize";

const keys = (text: string, language?: string) => [...extractFeatures(text, language).keys()];

function jaccard(a: string[], b: string[]): number {
  const left = new Set(a);
  const right = new Set(b);
  const both = [...left].filter((x) => right.has(x)).length;
  return both / (left.size + right.size - both);
}

describe("normalisation", () => {
  it("applies NFKC and case folding, so full-width and styled letters match plain ones", () => {
    expect(normalize("ＨＥＬＬＯ  Ｗｏｒｌｄ")).toBe("hello world");
    expect(normalize("ﬁle №1")).toBe("file no1");
  });

  it("keeps the existing normalize/stripDiacritics/matchKey behaviour the rule tier relies on", () => {
    expect(stripDiacritics("Tiếng Việt, Đà Nẵng")).toBe("Tieng Viet, Da Nang");
    expect(matchKey("  Bộ nhớ   tối đa?! ")).toBe("bo nho toi da");
  });

  it("tokenises words across scripts: punctuation splits, Chinese gives one token per character", () => {
    expect(tokenize("What's the Lambda timeout?").map((t) => t.text)).toEqual([
      "what",
      "s",
      "the",
      "lambda",
      "timeout",
    ]);
    expect(tokenize("lambda逾時上限").map((t) => t.text)).toEqual(["lambda", "逾", "時", "上", "限"]);
    expect(tokenize("逾時").every((t) => t.cjk)).toBe(true);
  });

  it("gives each Vietnamese token a diacritics-free form", () => {
    expect(tokenize("bộ nhớ tối đa").map((t) => t.folded)).toEqual(["bo", "nho", "toi", "da"]);
  });

  it("returns no tokens for empty or punctuation-only text", () => {
    expect(tokenize("")).toEqual([]);
    expect(tokenize(" ?!… ")).toEqual([]);
  });
});

describe("features", () => {
  it("emits words, Porter stems for English, and bigrams with sentence boundaries", () => {
    const features = keys("Cheapest flights", "en");
    expect(features).toEqual(expect.arrayContaining(["w cheapest", "s cheapest", "w flights", "s flight"]));
    expect(features).toEqual(expect.arrayContaining(["b ^ cheapest", "b cheapest flight", "b flight $"]));
  });

  it("does not stem other languages", () => {
    expect(keys("flights", "vi").some((f) => f.startsWith("s "))).toBe(false);
  });

  it("emits character n-grams (2-5) inside padded words", () => {
    const features = keys("lambda", "en");
    expect(features).toEqual(expect.arrayContaining(["c <l", "c <la", "c lamb", "c bda>", "c a>"]));
    expect(
      features.filter((f) => f.startsWith("c ")).every((f) => f.length - 2 <= defaultFeatureOptions.charMax),
    ).toBe(true);
  });

  it("keeps a misspelt word close to the right one through shared character n-grams", () => {
    const right = keys("serverless").filter((f) => f.startsWith("c "));
    const typo = keys("serverles").filter((f) => f.startsWith("c "));
    expect(jaccard(right, typo)).toBeGreaterThan(0.6);
    expect(
      jaccard(
        right,
        keys("database").filter((f) => f.startsWith("c ")),
      ),
    ).toBeLessThan(0.1);
  });

  it("uses character unigrams, bigrams and trigrams for Chinese", () => {
    const features = keys("記憶體上限", "zh-TW");
    expect(features).toEqual(
      expect.arrayContaining(["w 記", "w 憶", "b 記 憶", "b 憶 體", "c 記憶體", "c 體上限"]),
    );
  });

  it("duplicates Vietnamese features without diacritics, so unaccented typing shares them", () => {
    const accented = keys("bộ nhớ tối đa", "vi");
    expect(accented).toEqual(expect.arrayContaining(["w bộ", "w bo", "b bo nho", "b bộ nhớ"]));
    const unaccented = keys("bo nho toi da", "vi");
    const shared = unaccented.filter((f) => accented.includes(f));
    expect(shared.length / unaccented.length).toBe(1);
  });

  it("replaces digits by a shape so any number looks alike", () => {
    expect(keys("alarm at 7:30")).toEqual(expect.arrayContaining(["n 0", "n 00", "b at 0", "b 0 00"]));
  });

  it("hashes exactly what extractFeatures lists, bucketed by featureKey", () => {
    const text = "Bộ nhớ của Lambda là bao nhiêu? memory 記憶體";
    const vector = hashedFeatures(text, "vi");
    const shift = 32 - defaultFeatureOptions.hashBits;
    const expected = new Set([...extractFeatures(text, "vi").keys()].map((f) => featureKey(f) >>> shift));
    expect(new Set(vector.indices)).toEqual(expected);
    expect([...vector.indices]).toEqual([...vector.indices].sort((a, b) => a - b));
    expect([...vector.values].every((v) => v > 0)).toBe(true);
  });

  it("weights repeated features sub-linearly and character n-grams by charWeight", () => {
    const once = hashedFeatures("hello", "en", { ...defaultFeatureOptions, charMax: 0, bigrams: false });
    const twice = hashedFeatures("hello hello", "en", {
      ...defaultFeatureOptions,
      charMax: 0,
      bigrams: false,
    });
    expect([...twice.values]).toEqual([...once.values].map((v) => Math.fround(v * (1 + Math.log(2)))));
    const chars = hashedFeatures("ab", "en", {
      ...defaultFeatureOptions,
      bigrams: false,
      stem: false,
      charWeight: 0.25,
    });
    // "<a", "ab", "b>", "<ab", "ab>" at 0.25 each, and the word itself at 1.
    expect([...chars.values].sort()).toEqual([0.25, 0.25, 0.25, 0.25, 0.25, 1]);
  });

  it("optionally emits word trigrams, skip-bigrams and character n-grams across word boundaries", () => {
    const plain = keys("turn on the light", "en");
    expect(plain.some((f) => /^[tkx] /.test(f))).toBe(false);
    const options = { ...defaultFeatureOptions, trigrams: true, skipBigrams: true, crossCharMax: 4 };
    const features = extractFeatures("turn on the light", "en", options);
    expect([...features.keys()]).toEqual(
      expect.arrayContaining(["t turn on the", "t on the light", "k turn the", "k on light"]),
    );
    const cross = [...features.keys()].filter((f) => f.startsWith("x ")).map((f) => f.slice(2));
    // Every cross-word n-gram has a space strictly inside, none at an edge, each listed once.
    expect(cross).toEqual(expect.arrayContaining(["n o", "rn o", "n on", "e l", "he l", "e li"]));
    expect(cross.every((g) => g.length >= 3 && g.length <= 4 && g.slice(1, -1).includes(" "))).toBe(true);
    expect(cross.every((g) => !g.startsWith(" ") && !g.endsWith(" "))).toBe(true);
    expect([...features.entries()].filter(([f]) => f.startsWith("x ")).every(([, n]) => n === 1)).toBe(true);
    // The hashed path agrees with the readable one.
    const shift = 32 - options.hashBits;
    const vector = hashedFeatures("turn on the light", "en", options);
    expect(new Set(vector.indices)).toEqual(
      new Set([...features.keys()].map((f) => featureKey(f) >>> shift)),
    );
  });

  it("hashes stably across runs and Node versions (stored models depend on it)", () => {
    expect(hashString("")).toBe(2872998923);
    expect(hashString("w lambda")).toBe(1867043597);
    expect(hashString("記憶體")).toBe(hashString("記憶體".normalize("NFC")));
  });
});
