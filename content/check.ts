/**
 * `npm run content:check [folder]`: validates a content pack and prints every problem as
 * `file: path: reason`; exits 1 when anything is wrong so CI and editors can rely on it.
 */
import { resolve } from "node:path";
import { ContentError, loadContent } from "./load";

const folder = resolve(process.argv[2] ?? "content");
try {
  const content = loadContent(folder);
  const examples = content.intents.reduce(
    (sum, intent) => sum + Object.values(intent.examples).reduce((n, list) => n + list.length, 0),
    0,
  );
  console.log(
    `Content OK: ${content.intents.length} intents (${examples} examples), ${content.questionnaires.length} questionnaires, ` +
      `${content.recommendations.length} recommendations, ${Object.keys(content.messages).length} messages in ${content.settings.languages.join(", ")}.`,
  );
} catch (error) {
  if (error instanceof ContentError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
