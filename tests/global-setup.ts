/**
 * Trains the default pack's NLP model once, before the test workers start, into the file `npm start` and
 * `npm run nlp:train` use (dist/model/nlp-model.json, kept while it is newer than content/). The local stack
 * and the tests that need the default model then load it (milliseconds) instead of each training it
 * (~25 s per worker on a fresh clone).
 */
import { createJsonLogger } from "../bot/observability/logger";
import { loadContent } from "../content/load";
import { ensureNlpModel } from "../local/nlp-model";

export default function globalSetup(): void {
  ensureNlpModel(loadContent(), createJsonLogger({ level: "silent" }), {
    say: (line) => process.stdout.write(`\n[jest setup] ${line}\n`),
  });
}
