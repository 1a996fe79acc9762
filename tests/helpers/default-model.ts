/**
 * The default content pack's NLP model, as the local stack loads it: trained once per content change by the
 * test run's global setup (tests/global-setup.ts), so a test that needs it does not train it again.
 */
import { createJsonLogger } from "../../bot/observability/logger";
import { loadContent } from "../../content/load";
import { ensureNlpModel } from "../../local/nlp-model";
import type { NlpClassifier } from "../../nlp/classifier";

let cached: NlpClassifier | undefined;

/** The trained model of `content/` (loaded from dist/model, trained there first if it is missing or stale). */
export function defaultNlp(): NlpClassifier {
  cached ??= ensureNlpModel(loadContent(), createJsonLogger({ level: "silent" }));
  return cached;
}
