import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createMemoryLogger } from "../../bot/observability/logger";
import { loadNlpClassifier } from "../../bot/runtime/nlp";
import { serializeModel, trainClassifier } from "../../nlp/classifier";
import { fixtureUtterances } from "../nlp/fixtures";

/** What the loader logged: the "model loaded" line shows when the model file was actually read. */
function messagesOf(logger: ReturnType<typeof createMemoryLogger>): string[] {
  return logger.entries.map((entry) => entry.message);
}

describe("loading the NLP model in a Lambda handler", () => {
  const directory = mkdtempSync(path.join(tmpdir(), "lambdagram-model-"));
  beforeAll(() => {
    const { model } = trainClassifier(fixtureUtterances);
    writeFileSync(path.join(directory, "model.json"), serializeModel(model));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("reads the model at cold start when NLP is the default tier", () => {
    const logger = createMemoryLogger();
    const nlp = loadNlpClassifier(directory, logger);
    expect(messagesOf(logger)).toEqual(["NLP model loaded"]);
    expect(nlp?.classify("how much ram can my lambda get", "en").candidates[0]?.intent).toBe(
      "qa.lambda-memory",
    );
  });

  it("reads it on the first message that needs it when rules are the default, then never again", () => {
    const logger = createMemoryLogger();
    const nlp = loadNlpClassifier(directory, logger, { lazy: true });
    expect(messagesOf(logger)).toEqual([]);
    expect(nlp?.name).toBe("nlp");
    expect(nlp?.classify("how much ram can my lambda get", "en").candidates[0]?.intent).toBe(
      "qa.lambda-memory",
    );
    expect(nlp?.classify("lambda timeout limit", "en").candidates[0]?.intent).toBe("qa.lambda-timeout");
    expect(messagesOf(logger)).toEqual(["NLP model loaded"]);
  });

  it("falls back to the rule tier, with a warning that says how to build the model, when there is none", () => {
    const logger = createMemoryLogger();
    const empty = mkdtempSync(path.join(tmpdir(), "lambdagram-no-model-"));
    const cwd = process.cwd();
    process.chdir(empty);
    try {
      expect(loadNlpClassifier(empty, logger, { lazy: true })).toBeUndefined();
    } finally {
      process.chdir(cwd);
      rmSync(empty, { recursive: true, force: true });
    }
    expect(messagesOf(logger)).toEqual([expect.stringContaining("npm run nlp:train")]);
  });
});
