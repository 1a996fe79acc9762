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

/**
 * A test of whether a keyword occurs in any of the background messages: word keywords by intersecting the
 * messages each word occurs in, CJK keywords as substrings of all of them joined (a few ms for ~3,000).
 */
function backgroundIndex(background: readonly string[]): (keyword: CompiledKeyword) => boolean {
  const keys = background.map(matchKey).filter((key) => key !== "");
  const joined = keys.join("\n");
  const messagesWith = new Map<string, Set<number>>();
  keys.forEach((key, i) => {
    for (const word of key.split(" ")) {
      const set = messagesWith.get(word) ?? new Set<number>();
      set.add(i);
      messagesWith.set(word, set);
    }
  });
  return (keyword) => {
    if (keyword.cjk) return joined.includes(keyword.key);
    const [first, ...rest] = keyword.words.map((word) => messagesWith.get(word));
    if (!first || rest.some((set) => set === undefined)) return false;
    for (const i of first) if (rest.every((set) => (set as Set<number>).has(i))) return true;
    return false;
  };
}

const hanCharacter = /\p{Script=Han}/gu;

/**
 * A test of whether a keyword is shared with other intents: it occurs in their examples more than half as
 * often as in its own intent's ("what is dynamodb" is in "what is a partition key in dynamodb" and many more
 * examples of the other DynamoDB intents). Such a keyword alone cannot tell its intent from theirs. Word
 * keywords count the examples holding all their words; CJK keywords, the examples holding them as a substring.
 * (The ratio was chosen on `eval/fresh/` and `eval/realistic/` against stricter and looser ones: see
 * docs/benchmarks.md, "Third pass".)
 */
function examplesIndex(intents: readonly RuleSource[]): (keyword: CompiledKeyword) => boolean {
  const keys: string[] = [];
  const owners: string[] = [];
  for (const intent of intents)
    for (const example of Object.values(intent.examples).flat()) {
      const key = matchKey(example);
      if (!key) continue;
      keys.push(key);
      owners.push(intent.id);
    }
  // Example indexes by word, and by Han character for CJK keywords (no spaces to split on).
  const examplesWith = new Map<string, Set<number>>();
  const add = (token: string, i: number) => {
    const set = examplesWith.get(token) ?? new Set<number>();
    set.add(i);
    examplesWith.set(token, set);
  };
  keys.forEach((key, i) => {
    for (const word of key.split(" ")) add(word, i);
    for (const char of key.match(hanCharacter) ?? []) add(char, i);
  });
  return (keyword) => {
    const tokens = keyword.cjk ? (keyword.key.match(hanCharacter) ?? []) : keyword.words;
    const sets = tokens.map((token) => examplesWith.get(token));
    if (sets.length === 0 || sets.some((set) => set === undefined)) return false;
    const [first, ...rest] = (sets as Set<number>[]).sort((a, b) => a.size - b.size);
    let own = 0;
    let other = 0;
    for (const i of first as Set<number>)
      if (rest.every((set) => set.has(i)) && (!keyword.cjk || (keys[i] as string).includes(keyword.key))) {
        if (owners[i] === keyword.intent) own++;
        else other++;
      }
    return other * 2 > own;
  };
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
  const inBackground = backgroundIndex(background);
  const sharedWithOthers = examplesIndex(intents);
  const exact = new Map<string, string>();
  const patterns: CompiledPattern[] = [];
  const keywords: CompiledKeyword[] = [];
  for (const intent of intents) {
    for (const example of Object.values(intent.examples).flat()) {
      const key = matchKey(example);
      if (key && !exact.has(key)) exact.set(key, intent.id);
    }
    for (const sources of Object.values(intent.patterns ?? {}))
      for (const source of sources)
        patterns.push({ intent: intent.id, source: checkedPattern(intent.id, source) });
    for (const phrases of Object.values(intent.keywords ?? {}))
      for (const phrase of phrases) {
        const keyword = compileKeyword(intent.id, phrase);
        if (!keyword) continue;
        if (inBackground(keyword) || sharedWithOthers(keyword)) keyword.ambiguous = true;
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
 * Which keyword phrases are ambiguous against these background messages (see
 * {@link CompiledKeyword.ambiguous}); content:check uses it to ask for one specific keyword per language.
 */
export function keywordAmbiguity(background: readonly string[]): (phrase: string) => boolean {
  const inBackground = backgroundIndex(background);
  return (phrase) => {
    const keyword = compileKeyword("", phrase);
    return keyword !== undefined && inBackground(keyword);
  };
}

/**
 * Which keyword phrases of an intent are shared with other intents' examples (see {@link examplesIndex});
 * content:check uses it, with {@link keywordAmbiguity}, to ask for one keyword per language that can answer.
 */
export function keywordSharing(intents: readonly RuleSource[]): (intent: string, phrase: string) => boolean {
  const shared = examplesIndex(intents);
  return (intent, phrase) => {
    const keyword = compileKeyword(intent, phrase);
    return keyword !== undefined && shared(keyword);
  };
}

/** The out-of-scope messages of a content pack, every language. */
export function backgroundPhrases(content: RuleContent): string[] {
  return (content.outOfScope ?? []).flatMap((set) => Object.values(set.examples).flat());
}

/** {@link compileRules} over a whole content pack (its out-of-scope messages mark ambiguous keywords). */
export function compileContentRules(content: RuleContent): CompiledRules {
  return compileRules(content.intents, backgroundPhrases(content));
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
    const scores = new Map<string, number>();
    // Per intent: the distinct keywords that hit (the same word listed in two languages counts once), and
    // whether one of them is unambiguous.
    const hits = new Map<string, { keys: Set<string>; specific: boolean }>();
    for (const keyword of this.keywords) {
      if (!keywordHits(keyword, key, words)) continue;
      scores.set(keyword.intent, (scores.get(keyword.intent) ?? 0) + keyword.words.length);
      const seen = hits.get(keyword.intent) ?? { keys: new Set<string>(), specific: false };
      seen.keys.add(keyword.key);
      seen.specific ||= !keyword.ambiguous;
      hits.set(keyword.intent, seen);
    }
    if (scores.size === 0) return { decision: "out_of_scope", candidates: [] };
    const total = [...scores.values()].reduce((a, b) => a + b, 0);
    const candidates: IntentScore[] = [...scores.entries()]
      .map(([intent, score]) => ({ intent, confidence: score / total }))
      .sort((a, b) => b.confidence - a.confidence || a.intent.localeCompare(b.intent))
      .slice(0, 3);
    const [best, second] = candidates;
    const clearWinner =
      best && (!second || (scores.get(best.intent) ?? 0) > (scores.get(second.intent) ?? 0));
    const support = best ? hits.get(best.intent) : undefined;
    const meant = support !== undefined && (support.specific || support.keys.size >= 2);
    return { decision: clearWinner && meant ? "confident" : "unsure", candidates };
  }
}
