/**
 * What the bot does with a free-text message, as one pure decision shared by the bot
 * (`bot/features/intents.ts`) and the realistic-set evaluator (`nlp evaluate --probe`), so the two can
 * never drift: the measured behaviour is the shipped behaviour.
 */
import { matchKey } from "./normalize";
import type { Classification, IntentClassifier } from "./types";

/** The tier a chat is in: `rules` (rule tier alone) or `nlp` (rule tier first, then the model). */
export type Tier = "rules" | "nlp";

/** The classifiers of both tiers; `nlp` is absent when no model was built (the rule tier answers alone). */
export interface TieredClassifiers {
  rules: IntentClassifier;
  nlp?: IntentClassifier | undefined;
}

/** What the decision needs to know of the content's intents (build it once with {@link intentCatalog}). */
export interface IntentCatalog {
  /** The content kind of an intent (`qa`, `help`, `chitchat`), or undefined for an unknown id. */
  kindOf(intent: string): string | undefined;
  /**
   * Words of the course's Q&A keywords that no question about the bot uses ("function", "invocation",
   * "dynamodb", "函式"): one of them in a message means it is about the course, not about the bot.
   */
  courseWords: ReadonlySet<string>;
  /** The course words written with spaces around them (matched as whole words). */
  spacedCourseWords: ReadonlySet<string>;
  /** The CJK course words (no spaces to split on: matched as substrings). */
  cjkCourseWords: readonly string[];
}

/** An intent as the catalog reads it (a content intent fits). */
export interface CatalogIntent {
  id: string;
  kind: string;
  keywords?: Record<string, string[]> | undefined;
  examples: Record<string, string[]>;
}

const cjk = /\p{Script=Han}/u;

/** Builds the {@link IntentCatalog} of a content pack's intents. */
export function intentCatalog(intents: readonly CatalogIntent[]): IntentCatalog {
  const kinds = new Map(intents.map((intent) => [intent.id, intent.kind]));
  const wordsOf = (phrases: Record<string, string[]> | undefined) =>
    Object.values(phrases ?? {}).flatMap((list) => list.flatMap((phrase) => matchKey(phrase).split(" ")));
  const botWords = new Set(
    intents
      .filter((intent) => intent.kind === "help")
      .flatMap((intent) => [...wordsOf(intent.keywords), ...wordsOf(intent.examples)]),
  );
  const helpText = intents
    .filter((intent) => intent.kind === "help")
    .flatMap((intent) => Object.values(intent.examples).flat().map(matchKey))
    .join(" ");
  const courseWords = new Set(
    intents
      .filter((intent) => intent.kind === "qa")
      .flatMap((intent) => wordsOf(intent.keywords))
      .filter((word) => word.length >= 3 || cjk.test(word))
      // CJK words have no spaces around them: drop those that occur anywhere in a question about the bot.
      .filter((word) => !botWords.has(word) && !(cjk.test(word) && helpText.includes(word))),
  );
  const cjkCourseWords = [...courseWords].filter((word) => cjk.test(word));
  const spacedCourseWords = new Set([...courseWords].filter((word) => !cjk.test(word)));
  return { kindOf: (intent) => kinds.get(intent), courseWords, spacedCourseWords, cjkCourseWords };
}

/** True when the text names a course topic: one of the catalog's course words (CJK ones as substrings). */
export function mentionsCourse(text: string, catalog: IntentCatalog): boolean {
  const key = matchKey(text);
  return (
    key.split(" ").some((word) => catalog.spacedCourseWords.has(word)) ||
    catalog.cjkCourseWords.some((word) => key.includes(word))
  );
}

/**
 * Classifies text with a chat's tier. In NLP mode the rule tier runs first and wins when it is exact (an
 * exact phrase or pattern is never wrong); otherwise the model and its thresholds decide. With a `catalog`,
 * a question about the bot is held back when the text names a course topic ({@link courseFirst}).
 */
export function classifyTiered(
  classifiers: TieredClassifiers,
  tier: Tier,
  text: string,
  language: string,
  catalog?: IntentCatalog,
): Classification {
  const byRules = classifiers.rules.classify(text, language);
  if (byRules.decision === "exact") return byRules;
  const result = tier === "rules" || !classifiers.nlp ? byRules : classifiers.nlp.classify(text, language);
  return catalog ? courseFirst(text, result, byRules, catalog) : result;
}

/**
 * A question about the bot (a `help` intent) is never answered for a message that names a course topic
 * ("what can Lambda layers do for you", "switch my function to another invocation mode"): the user is asked
 * instead, course topics first and the question about the bot last. An exact help phrase still answers (it
 * never gets here).
 */
export function courseFirst(
  text: string,
  result: Classification,
  byRules: Classification,
  catalog: IntentCatalog,
): Classification {
  const [best] = result.candidates;
  if (!best || result.decision !== "confident" || catalog.kindOf(best.intent) !== "help") return result;
  const isCourse = (candidate: { intent: string }) => catalog.kindOf(candidate.intent) === "qa";
  const named = byRules.candidates.filter(isCourse);
  if (named.length === 0 && !mentionsCourse(text, catalog)) return result;
  const course = [...named, ...result.candidates.filter(isCourse)].filter(
    (candidate, index, all) => all.findIndex((other) => other.intent === candidate.intent) === index,
  );
  return { decision: "unsure", candidates: [...course.slice(0, MAX_CLARIFY_OPTIONS - 1), best] };
}

/** At most this many intents are offered by "did you mean". */
export const MAX_CLARIFY_OPTIONS = 3;

/**
 * The reply the bot gives: `answer` one intent, `clarify` ("did you mean" with up to three intents, best
 * first), or `decline` (the out-of-scope / fallback reply with the menu).
 */
export type Reply =
  | { kind: "answer"; intent: string }
  | { kind: "clarify"; intents: string[] }
  | { kind: "decline" };

/**
 * Turns a classification into the reply: `exact` and `confident` answer the best intent, `unsure` offers
 * its candidates, anything else declines. Intents the content does not know (`known` false, e.g. a model
 * trained on another pack) are never answered or offered.
 */
export function replyFor(result: Classification, known: (intent: string) => boolean = () => true): Reply {
  const [best] = result.candidates;
  if ((result.decision === "exact" || result.decision === "confident") && best && known(best.intent))
    return { kind: "answer", intent: best.intent };
  if (result.decision === "unsure") {
    const intents = result.candidates
      .map((candidate) => candidate.intent)
      .filter(known)
      .slice(0, MAX_CLARIFY_OPTIONS);
    if (intents.length > 0) return { kind: "clarify", intents };
  }
  return { kind: "decline" };
}

/**
 * How a reply felt to a user who meant `label` (an intent id, or `oosLabel` for "nothing the bot knows"):
 * - `right`: answered with the intended intent, or declined an out-of-scope message;
 * - `clarified`: "did you mean" offered the intended intent;
 * - `offeredOthers`: "did you mean" without the intended intent (or for an out-of-scope message): not an
 *   answer, but not a wrong one either;
 * - `declined`: the out-of-scope reply to an in-scope message;
 * - `confidentlyWrong`: answered with another intent, or answered an out-of-scope message.
 */
export type Outcome = "right" | "clarified" | "offeredOthers" | "declined" | "confidentlyWrong";

/** The {@link Outcome} of `reply` for a message labelled `label`. */
export function outcomeOf(reply: Reply, label: string, oosLabel = "oos"): Outcome {
  const outOfScope = label === oosLabel;
  switch (reply.kind) {
    case "answer":
      return !outOfScope && reply.intent === label ? "right" : "confidentlyWrong";
    case "clarify":
      return !outOfScope && reply.intents.includes(label) ? "clarified" : "offeredOthers";
    case "decline":
      return outOfScope ? "right" : "declined";
  }
}
