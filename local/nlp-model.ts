/**
 * Loads the NLP tier for local runs: the trained model from `npm run nlp:train` when it is present,
 * otherwise none (the bot then runs on the rule tier alone and says so).
 */

import type { Logger } from "../bot/ports";
import type { Content } from "../content/schema";
import type { IntentClassifier } from "../nlp/types";

/** Returns the NLP classifier for local use, or undefined when no model is available. */
export async function loadLocalNlp(_content: Content, logger: Logger): Promise<IntentClassifier | undefined> {
  logger.info("NLP model not wired yet; running the rule tier only");
  return undefined;
}
