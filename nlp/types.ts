/**
 * The `IntentClassifier` port: how the bot asks "what does this message mean?". The rule tier and the
 * NLP tier both implement it, so a chat can switch tiers without the bot knowing how either works.
 * Pure types: nothing here knows about Telegram, AWS or the file system.
 */

/** One candidate intent with a confidence in [0, 1] (a calibrated probability for the NLP tier). */
export interface IntentScore {
  intent: string;
  confidence: number;
}

/**
 * What a classifier decided:
 * - `exact`: a rule matched exactly (command-like phrase, exact example, pattern): answer without doubt;
 * - `confident`: above the high threshold: answer;
 * - `unsure`: between the thresholds: offer "did you mean" with `candidates` (best first, at most 3);
 * - `out_of_scope`: below the low threshold or the out-of-scope class: say so and show what the bot can do.
 */
export type Decision = "exact" | "confident" | "unsure" | "out_of_scope";

/** The classification of one utterance. */
export interface Classification {
  decision: Decision;
  /** Best candidates first; empty when nothing matched at all. */
  candidates: IntentScore[];
}

/** The port the bot depends on. `language` is the user's language, a hint the classifier may use. */
export interface IntentClassifier {
  /** Short name for logs and metrics, e.g. `rules` or `nlp`. */
  readonly name: string;
  classify(text: string, language: string): Classification;
}

/** One labelled utterance: the unit of training and evaluation data. */
export interface LabelledUtterance {
  text: string;
  intent: string;
  language?: string;
}
