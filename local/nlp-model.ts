/**
 * The NLP model for local runs. `npm start` and `npm run chat` are the local "build": when the model file
 * is missing or older than the content, it is trained from `content/` (a few seconds, once) and written
 * to `dist/model/nlp-model.json`, the file `npm run nlp:train` writes and the Lambda bundle embeds.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Logger } from "../bot/ports";
import type { Content } from "../content/schema";
import { NlpClassifier, serializeModel } from "../nlp/classifier";
import { DEFAULT_MODEL_PATH, trainFromContent } from "../nlp/cli";

function newestContentChange(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestContentChange(path));
    else if (/\.ya?ml$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Loads the model, training it first when it is missing or older than the content. */
export function ensureNlpModel(
  content: Content,
  logger: Logger,
  options: { contentDir?: string; modelPath?: string; say?: (line: string) => void } = {},
): NlpClassifier {
  const modelPath = options.modelPath ?? join(process.cwd(), DEFAULT_MODEL_PATH);
  const contentDir = options.contentDir ?? join(process.cwd(), "content");
  if (existsSync(modelPath) && statSync(modelPath).mtimeMs >= newestContentChange(contentDir))
    return NlpClassifier.fromJSON(readFileSync(modelPath, "utf8"));
  options.say?.("Training the NLP model from content/ (once after each content change, a few seconds)...");
  const started = performance.now();
  const { model, classifier } = trainFromContent(content);
  mkdirSync(dirname(modelPath), { recursive: true });
  writeFileSync(modelPath, serializeModel(model));
  logger.info("NLP model trained", { ms: Math.round(performance.now() - started), path: modelPath });
  return classifier;
}
