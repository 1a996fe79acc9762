/**
 * Text to features for the NLP tier: normalise (NFKC + case folding, via `normalize.ts`), tokenise across
 * scripts, and emit word uni/bigrams, English stems (natural's Porter stemmer), character n-grams (so
 * misspellings still share most features) and, for Chinese/Japanese, character uni/bi/trigrams (no spaces to
 * split on). Every Latin token is also emitted without diacritics, so "tieng viet" and "tiếng việt" share
 * features. Features are hashed to a fixed dimension: no vocabulary to ship, and unseen words cost nothing.
 * Pure: no I/O, deterministic.
 */
import PorterStemmer from "natural/lib/natural/stemmers/porter_stemmer";
import { normalize, stripDiacritics } from "./normalize";

/** How text becomes features. Stored in the model so training and classification always agree. */
export interface FeatureOptions {
  /** log2 of the hashed feature space; 2^20 keeps collisions rare for 100k+ distinct n-grams. */
  hashBits: number;
  /** Smallest and largest character n-gram taken inside a (padded) word; 0 disables them. */
  charMin: number;
  charMax: number;
  /** Weight of the character n-gram group relative to the word group (there are many more of them). */
  charWeight: number;
  /** Word bigrams (with sentence-boundary markers): "turn off" differs from "turn on". */
  bigrams: boolean;
  /** Weight of the bigram group relative to single words. */
  bigramWeight: number;
  /** Porter-stem English tokens (language `en`, or Latin-script tokens when the language is unknown). */
  stem: boolean;
  /** Word trigrams of stems ("turn the light"): longer set phrases; weighed like bigrams. Optional: off when absent. */
  trigrams?: boolean;
  /** Skip-bigrams of stems, one word apart ("turn * light"): "turn the light" and "turn that light" share it. */
  skipBigrams?: boolean;
  /**
   * Largest character n-gram taken across word boundaries (n-grams of the sentence that contain a space
   * inside, "n on", "rn on t"); 0 or absent disables them. They catch word pairs whose spelling varies.
   */
  crossCharMax?: number;
  /** Weight of the cross-word character n-gram group (its own hashing group). */
  crossCharWeight?: number;
}

/** Defaults tuned on the CLINC150 and HWU64 validation splits (see docs/nlp.md). */
export const defaultFeatureOptions: FeatureOptions = {
  hashBits: 20,
  charMin: 2,
  charMax: 5,
  charWeight: 0.25,
  bigrams: true,
  bigramWeight: 1,
  stem: true,
};

/** One token: as typed (normalised) and folded (no diacritics); `cjk` tokens are single Han/kana characters. */
export interface Token {
  text: string;
  folded: string;
  cjk: boolean;
}

const cjkChar = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const tokenPattern = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{M}\p{N}]+/gu;
const latinWord = /^[a-z]+$/;
const ascii = /^\p{ASCII}*$/u;

/**
 * Longest token that is stemmed; longer ones (no English word is) are kept as they are. The Porter stemmer is
 * quadratic in word length: 16,384 consonants take ~3 s, 32,768 ~12 s.
 */
export const maxStemmedLength = 64;

/** Porter stemming costs ~2 us a word; utterances repeat words, so memoise (bounded, so memory stays flat). */
const stemCache = new Map<string, string>();
function stemWord(word: string): string {
  if (word.length > maxStemmedLength) return word;
  let stem = stemCache.get(word);
  if (stem === undefined) {
    stem = PorterStemmer.stem(word);
    if (stemCache.size >= 50_000) stemCache.clear();
    stemCache.set(word, stem);
  }
  return stem;
}
const hasDigit = /\p{N}/u;
const cjkRun = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu;

/**
 * Splits text into tokens: runs of letters/digits for spaced scripts, one token per character for Chinese
 * and Japanese. Punctuation and apostrophes separate tokens ("what's" -> "what", "s").
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  // Spaces around Han/kana characters split a Latin run glued to them ("abc中文" -> "abc", "中", "文").
  for (const match of normalize(text).replace(cjkRun, " $& ").matchAll(tokenPattern)) {
    const token = match[0];
    const isAscii = ascii.test(token);
    tokens.push({
      text: token,
      folded: isAscii ? token : stripDiacritics(token),
      cjk: !isAscii && cjkChar.test(token),
    });
  }
  return tokens;
}

/** Whether tokens should be stemmed as English for this language hint. */
function stemsFor(language: string | undefined, options: FeatureOptions): boolean {
  if (!options.stem) return false;
  return language === undefined || language === "" || language === "en" || language.startsWith("en-");
}

/** Receives features from {@link visitFeatures}: whole strings, or a character n-gram inside a padded word. */
interface FeatureSink {
  feature(kind: string, text: string): void;
  /** `kind` is `c` (inside a padded word) or `x` (across a word boundary). */
  charGram(padded: string, start: number, length: number, kind: "c" | "x"): void;
}

/**
 * The one definition of the feature set, shared by the readable (`extractFeatures`) and the fast hashed
 * (`hashedFeatures`) paths so they can never disagree. Kinds: `w` word (diacritics-free, plus the accented
 * form when different), `s` English stem, `n` number shape, `b` bigram of stems (with `^`/`$` boundaries;
 * accented bigrams too), `c` character n-gram of a padded diacritics-free word, or CJK character trigram.
 */
function visitFeatures(
  text: string,
  language: string | undefined,
  options: FeatureOptions,
  sink: FeatureSink,
) {
  const tokens = tokenize(text);
  const stem = stemsFor(language, options);
  const keys: string[] = [];
  for (const token of tokens) {
    sink.feature("w", token.folded);
    if (token.text !== token.folded) sink.feature("w", token.text);
    let key = token.folded;
    if (hasDigit.test(key)) {
      key = key.replace(/\p{N}/gu, "0");
      sink.feature("n", key);
    } else if (stem && key.length > 2 && latinWord.test(key)) {
      key = stemWord(key);
      sink.feature("s", key);
    }
    keys.push(key);
  }
  if (options.bigrams && keys.length > 0) {
    sink.feature("b", `^ ${keys[0]}`);
    for (let i = 1; i < keys.length; i++) {
      sink.feature("b", `${keys[i - 1]} ${keys[i]}`);
      const a = tokens[i - 1] as Token;
      const b = tokens[i] as Token;
      if (a.text !== a.folded || b.text !== b.folded) sink.feature("b", `${a.text} ${b.text}`);
    }
    sink.feature("b", `${keys[keys.length - 1]} $`);
  }
  if ((options.trigrams || options.skipBigrams) && keys.length > 2)
    for (let i = 2; i < keys.length; i++) {
      if (options.trigrams) sink.feature("t", `${keys[i - 2]} ${keys[i - 1]} ${keys[i]}`);
      if (options.skipBigrams) sink.feature("k", `${keys[i - 2]} ${keys[i]}`);
    }
  const crossMax = options.crossCharMax ?? 0;
  if (crossMax >= 3) {
    // The spaced-script words of the sentence joined by single spaces; only n-grams with a space strictly
    // inside are new (the rest are the within-word n-grams below).
    const words: string[] = [];
    for (const token of tokens) if (!token.cjk) words.push(token.folded);
    const sentence = words.join(" ");
    // Each n-gram is emitted once, for the first space inside it (start is past the previous space).
    let previous = -1;
    let space = sentence.indexOf(" ");
    while (space >= 0) {
      for (let n = 3; n <= crossMax; n++)
        for (let start = max(previous + 1, space - n + 2); start < space; start++)
          if (start + n <= sentence.length && sentence.charCodeAt(start + n - 1) !== 32)
            sink.charGram(sentence, start, n, "x");
      previous = space;
      space = sentence.indexOf(" ", space + 1);
    }
  }
  if (options.charMax <= 0) return;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.cjk) {
      // CJK character uni- and bigrams are the word features above; add trigrams within a run.
      const next = tokens[i + 1];
      const after = tokens[i + 2];
      if (next?.cjk && after?.cjk) sink.feature("c", token.text + next.text + after.text);
      continue;
    }
    const padded = `<${token.folded}>`;
    const length = padded.length;
    // n < length: the whole padded word adds nothing over the `w` feature.
    for (let start = 0; start < length; start++)
      for (let n = options.charMin; n <= options.charMax && n < length && start + n <= length; n++)
        sink.charGram(padded, start, n, "c");
  }
}

/**
 * The features of one utterance as readable strings (`kind text`) with their counts, before hashing:
 * use it to see why two utterances look alike. The model uses `hashedFeatures`, built from the same walk.
 */
export function extractFeatures(
  text: string,
  language: string | undefined,
  options: FeatureOptions = defaultFeatureOptions,
): Map<string, number> {
  const out = new Map<string, number>();
  const add = (feature: string) => out.set(feature, (out.get(feature) ?? 0) + 1);
  visitFeatures(text, language, options, {
    feature: (kind, value) => add(`${kind} ${value}`),
    charGram: (padded, start, length, kind) => add(`${kind} ${padded.slice(start, start + length)}`),
  });
  return out;
}

/** A sparse vector: sorted, distinct bucket indices with their values. */
export interface SparseVector {
  indices: Uint32Array;
  values: Float32Array;
}

// Module-level aliases: under jest's sandboxed global, every `Math.x` lookup costs ~1 us.
const { imul, log, max } = Math;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv(hash: number, text: string, from = 0, to = text.length): number {
  let h = hash;
  for (let i = from; i < to; i++) h = imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

function finalize(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * 32-bit FNV-1a with a murmur3 finaliser: fast, dependency-free and stable across Node versions, which
 * matters because hashed buckets are stored in the model file.
 */
export function hashString(text: string): number {
  return finalize(fnv(FNV_OFFSET, text));
}

const prefixes = new Map<string, number>();
/** FNV state after `kind + " "`, so `hashString(kind + " " + text)` needs no concatenation. */
function prefixState(kind: string): number {
  let state = prefixes.get(kind);
  if (state === undefined) {
    state = fnv(FNV_OFFSET, `${kind} `);
    prefixes.set(kind, state);
  }
  return state;
}

const GROUP_WORD = 0;
const GROUP_BIGRAM = 1;
const GROUP_CHAR = 2;
const GROUP_CROSS = 3;

/** The weighting group of a feature kind: word-like, phrase (bi/trigrams), character, cross-word character. */
function groupOf(kind: number): number {
  if (kind === 99 /* c */) return GROUP_CHAR;
  if (kind === 120 /* x */) return GROUP_CROSS;
  if (kind === 98 /* b */ || kind === 116 /* t */ || kind === 107 /* k */) return GROUP_BIGRAM;
  return GROUP_WORD;
}

/**
 * The key of one feature: its 32-bit hash with the low 2 bits replaced by its group (word, bigram,
 * character), so sorting keys groups equal features together and the bucket (the top `hashBits` bits) is
 * already in order. Exposed for tests: `hashedFeatures` puts `feature` in bucket `key >>> (32 - hashBits)`.
 */
export function featureKey(feature: string): number {
  return ((hashString(feature) & ~3) | groupOf(feature.charCodeAt(0))) >>> 0;
}

/**
 * The hashed features of one utterance: bucket -> summed weight, with sub-linear term frequency
 * (1 + ln tf) so a repeated word does not dominate, and bigrams/character n-grams scaled by their group
 * weights. Equals bucketing `extractFeatures`' keys with {@link featureKey}, without building n-gram
 * strings or maps (~10 us an utterance). Not normalised: the model applies IDF and L2.
 */
export function hashedFeatures(
  text: string,
  language: string | undefined,
  options: FeatureOptions = defaultFeatureOptions,
): SparseVector {
  const keys: number[] = [];
  const charPrefix = prefixState("c");
  const crossPrefix = prefixState("x");
  visitFeatures(text, language, options, {
    feature: (kind, value) =>
      keys.push(((finalize(fnv(prefixState(kind), value)) & ~3) | groupOf(kind.charCodeAt(0))) >>> 0),
    charGram: (padded, start, length, kind) =>
      keys.push(
        kind === "c"
          ? ((finalize(fnv(charPrefix, padded, start, start + length)) & ~3) | GROUP_CHAR) >>> 0
          : ((finalize(fnv(crossPrefix, padded, start, start + length)) & ~3) | GROUP_CROSS) >>> 0,
      ),
  });
  const sorted = Uint32Array.from(keys).sort();
  const groupWeight = [
    1,
    options.bigramWeight,
    options.charWeight,
    options.crossCharWeight ?? options.charWeight,
  ];
  const shift = 32 - options.hashBits;
  const indices = new Uint32Array(sorted.length);
  const values = new Float32Array(sorted.length);
  let size = 0;
  for (let i = 0; i < sorted.length; ) {
    const key = sorted[i] as number;
    let j = i + 1;
    while (j < sorted.length && sorted[j] === key) j++;
    const weight = (1 + log(j - i)) * (groupWeight[key & 3] as number);
    const bucket = key >>> shift;
    if (size > 0 && indices[size - 1] === bucket) values[size - 1] = (values[size - 1] as number) + weight;
    else {
      indices[size] = bucket;
      values[size] = weight;
      size++;
    }
    i = j;
  }
  return { indices: indices.slice(0, size), values: values.slice(0, size) };
}
