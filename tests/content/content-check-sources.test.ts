import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { loadContent } from "../../content/load";
import type { Intent } from "../../content/schema";
import { contentProblems, copyOfDefaultPack, repoRoot } from "../helpers/content-pack";

/** Rewrites one intent of an intent file in place (parsed and re-serialised, comments are lost). */
function editIntent(dir: string, file: string, id: string, edit: (intent: Intent) => void): number {
  const full = join(dir, "intents", file);
  const intents = parse(readFileSync(full, "utf8")) as Intent[];
  const index = intents.findIndex((intent) => intent.id === id);
  if (index < 0) throw new Error(`${id} is not in ${file}`);
  edit(intents[index] as Intent);
  writeFileSync(full, stringify(intents));
  return index;
}

describe("content:check on Q&A sources and example counts", () => {
  it("the default pack gives every Q&A intent an https source of the official docs", () => {
    const content = loadContent(join(repoRoot, "content"));
    const qa = content.intents.filter((intent) => intent.kind === "qa");

    expect(qa.length).toBeGreaterThanOrEqual(31);
    for (const intent of qa)
      expect({ id: intent.id, source: intent.source }).toEqual({
        id: intent.id,
        // Official documentation of the service the answer is about: AWS, Telegram, Pulumi, AWS Powertools.
        source: expect.stringMatching(
          /^https:\/\/(docs\.aws\.amazon\.com|aws\.amazon\.com|core\.telegram\.org|www\.pulumi\.com|docs\.powertools\.aws\.dev)\//,
        ),
      });
  });

  it("refuses a Q&A intent without a source, naming the file, the intent and the fix", () => {
    const dir = copyOfDefaultPack("content-sources-");
    const index = editIntent(dir, "qa-lambda.yaml", "qa.lambda-memory", (intent) => {
      delete intent.source;
    });

    expect(contentProblems(dir)).toEqual([
      {
        file: expect.stringMatching(/intents\/qa-lambda\.yaml$/),
        path: `[${index}].source`,
        reason:
          'Q&A intent "qa.lambda-memory" has no source: add source: https://docs.aws.amazon.com/... (the page the answer is based on)',
      },
    ]);
  });

  it("lets chit-chat go without a source: only answers that state facts need one", () => {
    const dir = copyOfDefaultPack("content-sources-");
    const chitchat = parse(readFileSync(join(dir, "intents", "chitchat.yaml"), "utf8")) as Intent[];

    expect(chitchat.every((intent) => intent.source === undefined)).toBe(true);
    expect(contentProblems(dir)).toEqual([]);
  });

  it("refuses an http (not https) source at its path, saying what it must be", () => {
    const dir = copyOfDefaultPack("content-sources-");
    const index = editIntent(dir, "qa-api-gateway.yaml", "qa.apigw-cors", (intent) => {
      intent.source = "http://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html";
    });

    // The schema refuses the whole file, so other files' related ids into it are reported too.
    expect(contentProblems(dir)).toContainEqual({
      file: expect.stringMatching(/intents\/qa-api-gateway\.yaml$/),
      path: `[${index}].source`,
      reason: "an https:// URL of the official documentation",
    });
  });

  it("refuses an intent with too few examples in one language, naming the intent, the count and the fix", () => {
    const dir = copyOfDefaultPack("content-sources-");
    const index = editIntent(dir, "qa-lambda.yaml", "qa.lambda-layers", (intent) => {
      intent.examples.vi = intent.examples.vi?.slice(0, 5) ?? [];
    });
    const minimum = (
      parse(readFileSync(join(dir, "settings.yaml"), "utf8")) as { minExamplesPerLanguage: number }
    ).minExamplesPerLanguage;

    expect(contentProblems(dir)).toEqual([
      {
        file: expect.stringMatching(/intents\/qa-lambda\.yaml$/),
        path: `[${index}].examples.vi`,
        reason: `intent "qa.lambda-layers" has 5 vi examples, needs at least ${minimum} (settings.minExamplesPerLanguage): add ${minimum - 5} more ways users ask this in vi`,
      },
    ]);
  });

  it("refuses a Q&A intent whose keywords in one language all have other meanings in the background", () => {
    const dir = copyOfDefaultPack("content-sources-");
    // "bucket" occurs in out-of-scope messages ("bucket list ideas", a paint bucket).
    const index = editIntent(dir, "qa-s3-iam.yaml", "qa.s3-what", (intent) => {
      intent.keywords = { ...intent.keywords, en: ["bucket"] };
    });

    expect(contentProblems(dir)).toEqual([
      {
        file: expect.stringMatching(/intents\/qa-s3-iam\.yaml$/),
        path: `[${index}].keywords.en`,
        reason:
          'every en keyword of "qa.s3-what" also occurs in a content/out-of-scope message, so rules mode can only offer it as a button: add a keyword specific to this intent, e.g. two words together ("cloudwatch alarm")',
      },
    ]);
  });

  it("refuses a Q&A intent whose keywords in one language are all shared with other intents' examples", () => {
    const dir = copyOfDefaultPack("content-sources-");
    // Any-order words: "what is a partition key in dynamodb" (another intent) has "what is dynamodb" too.
    const index = editIntent(dir, "qa-dynamodb.yaml", "qa.dynamodb-what", (intent) => {
      intent.keywords = { ...intent.keywords, en: ["what is dynamodb", "dynamodb"] };
    });

    expect(contentProblems(dir)).toEqual([
      {
        file: expect.stringMatching(/intents\/qa-dynamodb\.yaml$/),
        path: `[${index}].keywords.en`,
        reason:
          "every en keyword of \"qa.dynamodb-what\" is in a content/out-of-scope message or in other intents' examples more than half as often as in its own, so rules mode can only offer it as a button: add a keyword that mostly this intent's examples use",
      },
    ]);
  });

  it("`npm run content:check` exits 1 and prints file, intent path and the fix for a missing source", () => {
    const dir = copyOfDefaultPack("content-sources-");
    editIntent(dir, "qa-api-gateway.yaml", "qa.apigw-what", (intent) => {
      delete intent.source;
    });

    const run = spawnSync(
      process.execPath,
      [join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs"), join(repoRoot, "content", "check.ts"), dir],
      { encoding: "utf8" },
    );

    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /qa-api-gateway\.yaml: \[\d+\]\.source: Q&A intent "qa\.apigw-what" has no source: add source: https:\/\//,
    );
  });
});
