/**
 * Loads the NLP model trained at build time (`npm run nlp:train`), bundled next to the handler as
 * `model.json` or found at `dist/model/nlp-model.json` when running from source. A handler never trains.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bundleFiles } from "../../contracts/runtime";
import { NlpClassifier } from "../../nlp/classifier";
import type { IntentClassifier } from "../../nlp/types";
import type { Logger } from "../ports";

/** Candidate model locations, bundled first. */
export function modelPaths(directory: string): string[] {
  return [join(directory, bundleFiles.model), join(process.cwd(), "dist", "model", "nlp-model.json")];
}

/**
 * The NLP classifier, or undefined (rule tier only, logged) when no model was built. `lazy` defers reading
 * the model (5-15 ms) to the first message that needs it: right when the bot's default tier is rules and
 * only chats that switched to NLP use it; when NLP is the default, loading during Lambda's INIT is better.
 */
export function loadNlpClassifier(
  directory: string,
  logger: Logger,
  options: { lazy?: boolean } = {},
): IntentClassifier | undefined {
  const path = modelPaths(directory).find((candidate) => existsSync(candidate));
  if (!path) {
    logger.warn("no NLP model found; NLP mode falls back to the rule tier. Run `npm run nlp:train`.");
    return undefined;
  }
  const load = (): IntentClassifier => {
    const started = performance.now();
    const classifier = NlpClassifier.fromJSON(readFileSync(path, "utf8"));
    logger.info("NLP model loaded", { path, ms: Math.round(performance.now() - started) });
    return classifier;
  };
  if (!options.lazy) return load();
  let loaded: IntentClassifier | undefined;
  return {
    name: "nlp",
    classify: (text, language) => {
      loaded ??= load();
      return loaded.classify(text, language);
    },
  };
}
