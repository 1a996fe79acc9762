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
}

/** Confidence given to a pattern match: certain enough to answer, below an exact phrase. */
const patternConfidence = 0.95;

/**
 * The rule tier with every phrase already in match-key form: plain JSON, so `npm run build` can compute it
 * once and a Lambda cold start skips normalising ~3,000 example phrases (~15 ms). Order matters: the first
 * intent to claim a phrase keeps it.
 */
export interface CompiledRules {
  exact: [key: string, intent: string][];
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

/** Normalises the content's phrases, keywords and patterns into {@link CompiledRules}. */
export function compileRules(intents: readonly RuleSource[]): CompiledRules {
  const exact = new Map<string, string>();
  const patterns: CompiledPattern[] = [];
  const keywords: CompiledKeyword[] = [];
  for (const intent of intents) {
    for (const examples of Object.values(intent.examples))
      for (const example of examples) {
        const key = matchKey(example);
        if (key && !exact.has(key)) exact.set(key, intent.id);
      }
    for (const sources of Object.values(intent.patterns ?? {}))
      for (const source of sources)
        patterns.push({ intent: intent.id, source: checkedPattern(intent.id, source) });
    for (const phrases of Object.values(intent.keywords ?? {}))
      for (const keyword of phrases) {
        const key = matchKey(keyword);
        if (key)
          keywords.push({ intent: intent.id, key, words: key.split(" "), cjk: /\p{Script=Han}/u.test(key) });
      }
  }
  return { exact: [...exact], patterns, keywords };
}

/**
 * Rule-based {@link IntentClassifier}. Exact example phrases and patterns decide (`exact`); keywords
 * score intents by how many keyword words occur, and a single clear winner is `confident`, a tie `unsure`.
 * Matching ignores case, punctuation and Vietnamese diacritics, in every language of the content.
 */
export class RuleClassifier implements IntentClassifier {
  readonly name = "rules";
  private readonly exact: Map<string, string>;
  private readonly patterns: { intent: string; regex: RegExp }[];
  private readonly keywords: CompiledKeyword[];

  /** From the content's intents, or from rules {@link compileRules} computed earlier (at build time). */
  constructor(source: readonly RuleSource[] | CompiledRules) {
    const rules = Array.isArray(source) ? compileRules(source) : (source as CompiledRules);
    if (!Array.isArray(rules.exact) || !Array.isArray(rules.patterns) || !Array.isArray(rules.keywords))
      throw new CompiledRulesError("expected exact, patterns and keywords arrays");
    this.exact = new Map(rules.exact);
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
    for (const keyword of this.keywords) {
      const hit = keyword.cjk ? key.includes(keyword.key) : keyword.words.every((word) => words.has(word));
      if (hit) scores.set(keyword.intent, (scores.get(keyword.intent) ?? 0) + keyword.words.length);
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
    return { decision: clearWinner ? "confident" : "unsure", candidates };
  }
}
