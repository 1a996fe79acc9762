/**
 * The rule tier: exact phrases, keywords and patterns declared in content, no statistics. It is the
 * default tier ("general chatbot") and also runs first in NLP mode, because an exact rule is never wrong.
 */
import { matchKey } from "./normalize";
import { checkedPattern } from "./safe-pattern";
import type { Classification, IntentClassifier, IntentScore } from "./types";

/** What the rule tier needs to know about an intent (a structural subset of a content intent). */
export interface RuleSource {
  id: string;
  /** The content kind (`qa`, `help`, `chitchat`): a chit-chat title ("Rude message") is a label, not a message. */
  kind?: string;
  /** The intent's title per language (what its buttons show): typed as it is, it answers like an example. */
  title?: Record<string, string>;
  examples: Record<string, string[]>;
  keywords?: Record<string, string[]>;
  patterns?: Record<string, string[]>;
}

/** A pattern of the compiled rules: the intent and the regular expression's source (flags `iu`). */
export interface CompiledPattern {
  intent: string;
  source: string;
}

/** A keyword of the compiled rules. */
export interface CompiledKeyword {
  intent: string;
  /** Keyword in match-key form. */
  key: string;
  /** Its words; a keyword matches when all of them occur as whole words, in any order. */
  words: string[];
  /** CJK keywords have no spaces to split on, so they match as substrings. */
  cjk: boolean;
  /**
   * The keyword also occurs in one of the pack's out-of-scope messages ("bucket" in "bucket list ideas"), or
   * is shared with other intents' examples ("what is dynamodb" in "what is a partition key in dynamodb"):
   * alone it cannot tell its meaning from another one, so it suggests its intent but never answers.
   */
  ambiguous?: true;
}

/**
 * Confidence given to an intent's own title typed as it is: it answers, but below an example phrase, so a
 * questionnaire waiting for free text ("Concurrency" as a topic) keeps it as the answer.
 */
const titleConfidence = 0.99;

/** Confidence given to a pattern match: certain enough to answer, below an exact phrase. */
const patternConfidence = 0.95;

/**
 * The rule tier with every phrase already in match-key form: plain JSON, so `npm run build` can compute it
 * once and a Lambda cold start skips normalising ~3,000 example phrases (~15 ms). Order matters: the first
 * intent to claim a phrase keeps it.
 */
export interface CompiledRules {
  /**
   * Example phrases in match-key form, per intent, separated by "\n" (a match key has no line breaks): one
   * string per intent, which a cold start parses several times faster than one `[key, intent]` pair per
   * phrase (16,000 phrases: ~2 ms instead of ~13). Each phrase is listed once, under the intent that claimed it.
   */
  exact: Record<string, string>;
  /** Intent titles in match-key form that no example phrase has (optional: rules.json of older builds). */
  titles?: [key: string, intent: string][];
  patterns: CompiledPattern[];
  keywords: CompiledKeyword[];
}

/** Thrown when compiled rules are not in the expected shape (e.g. written by another version). */
export class CompiledRulesError extends Error {
  constructor(reason: string) {
    super(`The compiled rules are invalid (${reason}). Rebuild them with \`npm run build\`.`);
    this.name = "CompiledRulesError";
  }
}

/** A content pack as the rule tier reads it: its intents and its out-of-scope messages (a `Content` fits). */
export interface RuleContent {
  intents: readonly RuleSource[];
  outOfScope?: readonly { examples: Record<string, string[]> }[] | undefined;
}

/** Whether a keyword (match-key words, or a CJK key) occurs in a message's match key. */
function keywordHits(
  keyword: Pick<CompiledKeyword, "key" | "words" | "cjk">,
  key: string,
  words: Set<string>,
) {
  return keyword.cjk ? key.includes(keyword.key) : keyword.words.every((word) => words.has(word));
}

/** A keyword phrase in compiled form (match key, its words, CJK or not), or undefined when nothing is left. */
function compileKeyword(intent: string, phrase: string): CompiledKeyword | undefined {
  const key = matchKey(phrase);
  if (!key) return undefined;
  return { intent, key, words: key.split(" "), cjk: /\p{Script=Han}/u.test(key) };
}

const hanCharacter = /\p{Script=Han}/gu;

/**
 * Finds the phrases (match keys) that hold a keyword: word keywords by intersecting the phrases each word
 * occurs in, CJK keywords (no spaces to split on) by their Han characters, then as a substring.
 */
function phraseIndex(phrases: readonly string[]): (keyword: CompiledKeyword) => number[] {
  const phrasesWith = new Map<string, Set<number>>();
  const add = (token: string, i: number) => {
    const set = phrasesWith.get(token) ?? new Set<number>();
    set.add(i);
    phrasesWith.set(token, set);
  };
  phrases.forEach((phrase, i) => {
    for (const word of phrase.split(" ")) add(word, i);
    for (const char of phrase.match(hanCharacter) ?? []) add(char, i);
  });
  return (keyword) => {
    const tokens = keyword.cjk ? (keyword.key.match(hanCharacter) ?? []) : keyword.words;
    const sets = tokens.map((token) => phrasesWith.get(token));
    if (sets.length === 0 || sets.some((set) => set === undefined)) return [];
    const [first, ...rest] = (sets as Set<number>[]).sort((a, b) => a.size - b.size);
    return [...(first as Set<number>)].filter(
      (i) =>
        rest.every((set) => set.has(i)) && (!keyword.cjk || (phrases[i] as string).includes(keyword.key)),
    );
  };
}

/** Why a keyword cannot decide alone (see {@link CompiledKeyword.ambiguous}), or undefined when it can. */
type Ambiguity = "out-of-scope" | "shared" | undefined;

/**
 * Tells why a keyword is ambiguous: it occurs in an out-of-scope message ("bucket" in "bucket list ideas"), or
 * other intents' examples hold it more than half as often as its own intent's ("what is dynamodb" is in "what
 * is a partition key in dynamodb" and many more examples of the other DynamoDB intents). Word keywords count
 * the phrases holding all their words; CJK keywords, the phrases holding them as a substring. (The ratio was
 * chosen on `eval/fresh/` and `eval/realistic/` against stricter and looser ones: see docs/benchmarks.md,
 * "Third pass".) `examples`: every intent's example phrases in match-key form, with the intent.
 */
function ambiguityTest(
  examples: readonly { key: string; intent: string }[],
  background: readonly string[],
): (keyword: CompiledKeyword) => Ambiguity {
  const inBackground = phraseIndex(background.map(matchKey).filter((key) => key !== ""));
  const inExamples = phraseIndex(examples.map((example) => example.key));
  return (keyword) => {
    if (inBackground(keyword).length > 0) return "out-of-scope";
    let own = 0;
    let other = 0;
    for (const i of inExamples(keyword))
      if ((examples[i] as { intent: string }).intent === keyword.intent) own++;
      else other++;
    return other * 2 > own ? "shared" : undefined;
  };
}

/** Every intent's example phrases in match-key form (empty keys left out), in content order. */
function examplePhrases(intents: readonly RuleSource[]): { key: string; intent: string }[] {
  return intents.flatMap((intent) =>
    Object.values(intent.examples)
      .flat()
      .map((example) => ({ key: matchKey(example), intent: intent.id }))
      .filter(({ key }) => key !== ""),
  );
}

/**
 * Normalises the content's phrases, keywords and patterns into {@link CompiledRules}. `background`: the
 * pack's out-of-scope messages; a keyword found in one of them, or shared with other intents' examples, is
 * marked {@link CompiledKeyword.ambiguous}.
 */
export function compileRules(
  intents: readonly RuleSource[],
  background: readonly string[] = [],
): CompiledRules {
  const examples = examplePhrases(intents);
  const ambiguity = ambiguityTest(examples, background);
  // The first intent to claim a phrase keeps it.
  const exact = new Map<string, string>();
  for (const { key, intent } of examples) if (!exact.has(key)) exact.set(key, intent);
  const patterns: CompiledPattern[] = [];
  const keywords: CompiledKeyword[] = [];
  for (const intent of intents) {
    for (const sources of Object.values(intent.patterns ?? {}))
      for (const source of sources)
        patterns.push({ intent: intent.id, source: checkedPattern(intent.id, source) });
    for (const phrases of Object.values(intent.keywords ?? {}))
      for (const phrase of phrases) {
        const keyword = compileKeyword(intent.id, phrase);
        if (!keyword) continue;
        if (ambiguity(keyword)) keyword.ambiguous = true;
        keywords.push(keyword);
      }
  }
  // Titles after every example: an example phrase keeps the intent it was written for.
  const titles = new Map<string, string>();
  for (const intent of intents)
    for (const title of intent.kind === "chitchat" ? [] : Object.values(intent.title ?? {})) {
      const key = matchKey(title);
      if (key && !exact.has(key) && !titles.has(key)) titles.set(key, intent.id);
    }
  const exactByIntent = new Map<string, string[]>();
  for (const [key, intent] of exact) {
    const keys = exactByIntent.get(intent) ?? [];
    keys.push(key);
    exactByIntent.set(intent, keys);
  }
  return {
    exact: Object.fromEntries([...exactByIntent].map(([intent, keys]) => [intent, keys.join("\n")])),
    titles: [...titles],
    patterns,
    keywords,
  };
}

/**
 * Why a keyword phrase of an intent is ambiguous (see {@link CompiledKeyword.ambiguous}), against these
 * intents' examples and out-of-scope messages: content:check uses it to ask for one keyword per language
 * that can answer.
 */
export function keywordAmbiguity(
  intents: readonly RuleSource[],
  background: readonly string[],
): (intent: string, phrase: string) => Ambiguity {
  const ambiguity = ambiguityTest(examplePhrases(intents), background);
  return (intent, phrase) => {
    const keyword = compileKeyword(intent, phrase);
    return keyword === undefined ? undefined : ambiguity(keyword);
  };
}

/** The out-of-scope messages of a content pack, every language. */
export function backgroundPhrases(content: RuleContent): string[] {
  return (content.outOfScope ?? []).flatMap((set) => Object.values(set.examples).flat());
}

/** Rules compiled per content pack: a pack is loaded once and read-only, and ~16,000 phrases take ~150 ms. */
const compiledByContent = new WeakMap<RuleContent, CompiledRules>();

/**
 * {@link compileRules} over a whole content pack (its out-of-scope messages mark ambiguous keywords), once per
 * pack object: every bot built from the same loaded pack (a test harness per test) shares the result.
 */
export function compileContentRules(content: RuleContent): CompiledRules {
  let compiled = compiledByContent.get(content);
  if (!compiled) {
    compiled = compileRules(content.intents, backgroundPhrases(content));
    compiledByContent.set(content, compiled);
  }
  return compiled;
}

/**
 * Rule-based {@link IntentClassifier}. Exact example phrases and patterns decide (`exact`); keywords
 * score intents by how many keyword words occur, and a single clear winner is `confident`, a tie `unsure`.
 * A winner held up only by one ambiguous keyword ("alarm" in "set an alarm for 7am") is `unsure` too: the
 * user gets a button for the course topic instead of a confident answer to a question they did not ask.
 * Matching ignores case, punctuation and Vietnamese diacritics, in every language of the content.
 */
export class RuleClassifier implements IntentClassifier {
  readonly name = "rules";
  private readonly exact: Map<string, string>;
  private readonly titles: Map<string, string>;
  private readonly patterns: { intent: string; regex: RegExp }[];
  private readonly keywords: CompiledKeyword[];

  /**
   * From a content pack (its out-of-scope messages mark ambiguous keywords), bare intents (no background),
   * or rules {@link compileRules} computed earlier (at build time).
   */
  constructor(source: RuleContent | readonly RuleSource[] | CompiledRules) {
    const rules = Array.isArray(source)
      ? compileRules(source)
      : "intents" in source
        ? compileContentRules(source)
        : (source as CompiledRules);
    if (
      typeof rules.exact !== "object" ||
      rules.exact === null ||
      Array.isArray(rules.exact) ||
      !Array.isArray(rules.patterns) ||
      !Array.isArray(rules.keywords)
    )
      throw new CompiledRulesError("expected exact phrases per intent, and patterns and keywords arrays");
    this.exact = new Map();
    for (const [intent, keys] of Object.entries(rules.exact))
      for (const key of String(keys).split("\n")) this.exact.set(key, intent);
    this.titles = new Map(rules.titles ?? []);
    this.patterns = rules.patterns.map(({ intent, source }) => ({
      intent,
      regex: new RegExp(checkedPattern(intent, source), "iu"),
    }));
    this.keywords = rules.keywords;
  }

  classify(text: string, _language: string): Classification {
    const key = matchKey(text);
    const exact = key ? this.exact.get(key) : undefined;
    if (exact) return { decision: "exact", candidates: [{ intent: exact, confidence: 1 }] };
    const title = key ? this.titles.get(key) : undefined;
    if (title) return { decision: "exact", candidates: [{ intent: title, confidence: titleConfidence }] };
    // Patterns also see the raw text: an emoji-only message has an empty key but still means something.
    for (const { intent, regex } of this.patterns)
      if ((key && regex.test(key)) || regex.test(text))
        return { decision: "exact", candidates: [{ intent, confidence: patternConfidence }] };
    if (!key) return { decision: "out_of_scope", candidates: [] };
    return this.byKeywords(key);
  }

  private byKeywords(key: string): Classification {
    const words = new Set(key.split(" "));
    // Per intent: its score (how many keyword words occur), the distinct keywords that hit (the same word
    // listed in two languages counts once), and whether one of them is unambiguous.
    const hits = new Map<string, { score: number; keys: Set<string>; specific: boolean }>();
    for (const keyword of this.keywords) {
      if (!keywordHits(keyword, key, words)) continue;
      const seen = hits.get(keyword.intent) ?? { score: 0, keys: new Set<string>(), specific: false };
      seen.score += keyword.words.length;
      seen.keys.add(keyword.key);
      seen.specific ||= !keyword.ambiguous;
      hits.set(keyword.intent, seen);
    }
    if (hits.size === 0) return { decision: "out_of_scope", candidates: [] };
    let total = 0;
    for (const { score } of hits.values()) total += score;
    const candidates: IntentScore[] = [...hits.entries()]
      .map(([intent, { score }]) => ({ intent, confidence: score / total }))
      .sort((a, b) => b.confidence - a.confidence || a.intent.localeCompare(b.intent))
      .slice(0, 3);
    const [best, second] = candidates;
    const support = best ? hits.get(best.intent) : undefined;
    const clearWinner =
      support !== undefined && (!second || support.score > (hits.get(second.intent)?.score ?? 0));
    const meant = support !== undefined && (support.specific || support.keys.size >= 2);
    return { decision: clearWinner && meant ? "confident" : "unsure", candidates };
  }
}
