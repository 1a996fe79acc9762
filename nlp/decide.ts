/**
 * What the bot does with a free-text message, as one pure decision shared by the bot
 * (`bot/features/intents.ts`) and the realistic-set evaluator (`nlp evaluate --probe`), so the two can
 * never drift: the measured behaviour is the shipped behaviour.
 */
import type { Classification, IntentClassifier } from "./types";

/** The tier a chat is in: `rules` (rule tier alone) or `nlp` (rule tier first, then the model). */
export type Tier = "rules" | "nlp";

/** The classifiers of both tiers; `nlp` is absent when no model was built (the rule tier answers alone). */
export interface TieredClassifiers {
  rules: IntentClassifier;
  nlp?: IntentClassifier | undefined;
}

/** The content kind of an intent (`qa`, `help`, `chitchat`), or undefined for an unknown id. */
export type KindOf = (intent: string) => string | undefined;

/**
 * Classifies text with a chat's tier. In NLP mode the rule tier runs first and wins when it is exact (an
 * exact phrase or pattern is never wrong); otherwise the model and its thresholds decide. With `kindOf`, a
 * question about the bot is held back when the text names a course topic ({@link courseFirst}).
 */
export function classifyTiered(
  classifiers: TieredClassifiers,
  tier: Tier,
  text: string,
  language: string,
  kindOf?: KindOf,
): Classification {
  const byRules = classifiers.rules.classify(text, language);
  if (byRules.decision === "exact") return byRules;
  const result = tier === "rules" || !classifiers.nlp ? byRules : classifiers.nlp.classify(text, language);
  return kindOf ? courseFirst(result, byRules, kindOf) : result;
}

/**
 * A question about the bot (a `help` intent) is never answered for a message that names a course topic: when
 * a help intent wins but a Q&A keyword occurs in the text ("what can Lambda layers do for you"), the user is
 * asked instead, the course topics first. An exact help phrase still answers (it never gets here).
 */
export function courseFirst(result: Classification, byRules: Classification, kindOf: KindOf): Classification {
  const [best] = result.candidates;
  if (!best || result.decision !== "confident" || kindOf(best.intent) !== "help") return result;
  const course = byRules.candidates.filter((candidate) => kindOf(candidate.intent) === "qa");
  if (course.length === 0) return result;
  return { decision: "unsure", candidates: [...course, best].slice(0, MAX_CLARIFY_OPTIONS) };
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
