/**
 * Typo correction against the model's own vocabulary: "lamda timout" becomes "lambda timeout" before the
 * classifier sees it, so a misspelt key word finds its trained weights instead of only sharing a few
 * character n-grams with them. The vocabulary (every spaced-script word of the training data, most frequent
 * first) is stored in the model file; a SymSpell-style index of its one-letter deletions, keyed by hash, is
 * built on the first unknown word (~64k entries for a 10k-word vocabulary, a few ms), so loading a model
 * stays cheap. Candidates are verified with the optimal-string-alignment (Damerau-Levenshtein) distance.
 * Pure: no I/O.
 */
import { tokenize } from "./features";

const { imul, min } = Math;

/** Words shorter than this are never corrected (too many short words are one edit apart). */
export const MIN_CORRECTED_LENGTH = 4;

/**
 * A known word is still corrected when a word this many times more frequent is within reach: training
 * examples carry a few deliberate typos ("lamda", "timout") whose rare features would otherwise decide.
 */
export const DOMINANCE = 20;

/** The edit distance allowed for a word of this length: 1 up to 7 letters, 2 from 8. */
export function allowedDistance(length: number): number {
  return length >= 8 ? 2 : 1;
}

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions), or `max + 1` as soon as it
 * must exceed `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let previous2 = new Array<number>(n + 1).fill(0);
  let previous = Array.from({ length: n + 1 }, (_, j) => j);
  let current = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      )
        d = min(d, (previous2[j - 2] as number) + 1);
      current[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [previous2, previous, current] = [previous, current, previous2];
  }
  return previous[n] as number;
}

/** FNV-1a of `word` without the character at `skip` (-1: the whole word). */
function hashWithout(word: string, skip: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) if (i !== skip) h = imul(h ^ word.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const correctable = /^[a-z]+$/;

/** Index keys hold the word's vocabulary index below this; words past it are not candidates (rarest). */
const WORD_SLOTS = 65_536;

/**
 * Only words seen at least this often are offered as corrections: a word seen once is as likely a typo as
 * the input, and leaving those out halves the index (it is built on the first unknown word of a cold start).
 */
const MIN_CANDIDATE_COUNT = 2;

/** One correction made: the word as typed and the vocabulary word that replaced it. */
export interface Correction {
  from: string;
  to: string;
}

/**
 * Corrects words (lower-case ASCII letters, at least {@link MIN_CORRECTED_LENGTH}) that are unknown, or
 * known but {@link DOMINANCE} times rarer than a close word, to the closest, then most frequent, vocabulary
 * word within {@link allowedDistance}. Chinese characters, numbers and words with diacritics are left as
 * they are (a diacritics-free copy of each Vietnamese word is in the vocabulary).
 */
export class TypoCorrector {
  private readonly rank: Map<string, number>;
  /**
   * Sorted keys `hash * 2^16 + word` of every word's one-letter deletions and of the word itself (hash of
   * the string, word its vocabulary index): a typed array sorts natively, so building it on the first
   * unknown word costs a few ms, and a lookup is a binary search. Built on first use.
   */
  private index?: Float64Array;
  /** Memo of corrections (bounded): users repeat their typos. */
  private readonly memo = new Map<string, string | null>();

  /** `words`: the vocabulary, most frequent first, with how often each occurred in training. */
  constructor(
    readonly words: readonly string[],
    readonly counts: readonly number[],
  ) {
    this.rank = new Map(words.map((word, i) => [word, i]));
  }

  /** Builds the vocabulary of some texts: their diacritics-free spaced-script words, most frequent first. */
  static fromTexts(texts: Iterable<string>): TypoCorrector {
    const counts = new Map<string, number>();
    for (const text of texts)
      for (const token of tokenize(text))
        if (!token.cjk && correctable.test(token.folded))
          counts.set(token.folded, (counts.get(token.folded) ?? 0) + 1);
    const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return new TypoCorrector(
      sorted.map(([word]) => word),
      sorted.map(([, count]) => count),
    );
  }

  /** The vocabulary as stored in the model file: `word:count` separated by spaces, most frequent first. */
  serialize(): string {
    return this.words.map((word, i) => `${word}:${this.counts[i]}`).join(" ");
  }

  /** Reads {@link serialize}'s form. */
  static deserialize(text: string): TypoCorrector {
    const words: string[] = [];
    const counts: number[] = [];
    if (text !== "")
      for (const entry of text.split(" ")) {
        const colon = entry.indexOf(":");
        words.push(entry.slice(0, colon));
        counts.push(Number(entry.slice(colon + 1)));
      }
    return new TypoCorrector(words, counts);
  }

  /** Whether the vocabulary has this (diacritics-free, lower-case) word. */
  knows(word: string): boolean {
    return this.rank.has(word);
  }

  private buildIndex(): Float64Array {
    let size = 0;
    let limit = Math.min(this.words.length, WORD_SLOTS);
    // Words are sorted by count: the candidates are a prefix.
    while (limit > 0 && (this.counts[limit - 1] as number) < MIN_CANDIDATE_COUNT) limit--;
    for (let w = 0; w < limit; w++) {
      const length = (this.words[w] as string).length;
      if (length >= MIN_CORRECTED_LENGTH - 1) size += length + 1;
    }
    const keys = new Float64Array(size);
    let at = 0;
    for (let w = 0; w < limit; w++) {
      const word = this.words[w] as string;
      if (word.length < MIN_CORRECTED_LENGTH - 1) continue;
      keys[at++] = hashWithout(word, -1) * WORD_SLOTS + w;
      for (let i = 0; i < word.length; i++) keys[at++] = hashWithout(word, i) * WORD_SLOTS + w;
    }
    return keys.sort();
  }

  /** Calls `visit` with every word indexed under `hash`. */
  private lookup(hash: number, visit: (word: number) => void): void {
    const keys = this.index as Float64Array;
    const from = hash * WORD_SLOTS;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] as number) < from) lo = mid + 1;
      else hi = mid;
    }
    const to = from + WORD_SLOTS;
    for (let k = lo; k < keys.length && (keys[k] as number) < to; k++) visit((keys[k] as number) - from);
  }

  /** The vocabulary word a typed word should become, or undefined when it is known or nothing is close. */
  suggest(word: string): string | undefined {
    if (word.length < MIN_CORRECTED_LENGTH || !correctable.test(word)) return undefined;
    const own = this.rank.get(word);
    const ownCount = own === undefined ? 0 : (this.counts[own] as number);
    // A word this frequent is a word, whatever is near it (most of the vocabulary stops here).
    if (ownCount * DOMINANCE > (this.counts[0] ?? 0)) return undefined;
    const memo = this.memo.get(word);
    if (memo !== undefined) return memo ?? undefined;
    this.index ??= this.buildIndex();
    const max = allowedDistance(word.length);
    const needed = ownCount === 0 ? 1 : ownCount * DOMINANCE;
    let best = -1;
    let bestDistance = max + 1;
    const consider = (w: number) => {
      if (w === best || w === own || (this.counts[w] as number) < needed) return;
      const distance = editDistance(word, this.words[w] as string, max);
      if (distance < bestDistance || (distance === bestDistance && distance <= max && w < best)) {
        best = w;
        bestDistance = distance;
      }
    };
    // A vocabulary word with one letter fewer, or sharing a one-letter deletion (substitution,
    // transposition, or one letter extra and one missing), or the typed word missing one letter.
    this.lookup(hashWithout(word, -1), consider);
    for (let i = 0; i < word.length; i++) this.lookup(hashWithout(word, i), consider);
    const result = best >= 0 && bestDistance <= max ? (this.words[best] as string) : undefined;
    if (this.memo.size >= 10_000) this.memo.clear();
    this.memo.set(word, result ?? null);
    return result;
  }

  /**
   * The text with its unknown words corrected (tokens joined by spaces, which the tokenizer reads exactly
   * as it read the original), and the corrections made; the text itself when nothing was corrected.
   */
  correct(text: string): { text: string; corrections: Correction[] } {
    const tokens = tokenize(text);
    const corrections: Correction[] = [];
    const out: string[] = [];
    for (const token of tokens) {
      const to = token.cjk || token.text !== token.folded ? undefined : this.suggest(token.folded);
      if (to !== undefined) {
        corrections.push({ from: token.folded, to });
        out.push(to);
      } else out.push(token.text);
    }
    return corrections.length === 0 ? { text, corrections } : { text: out.join(" "), corrections };
  }
}
