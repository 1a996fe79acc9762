/**
 * The weekly loop end to end on the local stack (dynalite, the HTTP API, the webhook, the Telegram emulator):
 * users' messages the bot declines reach the inbox, an admin labels them through the admin API, and
 * `npx lambdagram inbox export` writes them into a copy of content/ that still passes content validation, with
 * every other line of the edited files unchanged. Also: how the CLI finds the API without pulumi.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { loadContent } from "../../content/load";
import { env } from "../../contracts/runtime";
import { main } from "../../local/inbox-cli";
import type { LocalStack } from "../../local/stack";
import { startTestStack } from "../helpers/local-stack";

const user = 31_001;
let stack: LocalStack;
let token: string;
let content: string;

beforeAll(async () => {
  stack = await startTestStack({ defaultMode: "nlp", adminApiToken: "export-test-token" });
  token = stack.environment[env.adminApiToken] as string;
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(() => {
  content = mkdtempSync(join(tmpdir(), "lambdagram-content-"));
  cpSync(join(process.cwd(), "content"), content, { recursive: true });
});
afterEach(() => {
  rmSync(content, { recursive: true, force: true });
});

async function say(text: string): Promise<void> {
  const emulator = stack.emulator;
  if (!emulator) throw new Error("the test stack runs the built-in emulator");
  emulator.sendText(user, text);
  await emulator.idle({ timeoutMs: 10_000 });
}

async function admin(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: { entries: { text: string; id: string }[] } }> {
  const response = await fetch(`${stack.url}/admin${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  });
  return {
    status: response.status,
    body: (await response.json()) as { entries: { text: string; id: string }[] },
  };
}

/** Runs the CLI as `npx lambdagram inbox ...` would, collecting what it prints. */
async function cli(args: string[], environment: Record<string, string> = {}, run?: () => never) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    args,
    (line) => out.push(line),
    (line) => err.push(line),
    { environment, ...(run ? { run } : {}) },
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

it("exports what an admin labelled into content/: examples per intent and language, negatives, no duplicates", async () => {
  stack.emulator?.createUser({ id: user, first_name: "Lan", language_code: "en" });
  await say("make my lambda zoom");
  await say("where can I buy cheap concert tickets");
  await say("what's the weather on mars today");
  const listed = await admin("/inbox");
  expect(listed.status).toBe(200);
  const byText = new Map<string, string>(
    listed.body.entries.map((e: { text: string; id: string }) => [e.text, e.id]),
  );
  expect([...byText.keys()].sort()).toEqual([
    "make my lambda zoom",
    "what's the weather on mars today",
    "where can I buy cheap concert tickets",
  ]);
  const label = (text: string, value: string) =>
    admin(`/inbox/${byText.get(text)}`, { method: "POST", body: JSON.stringify({ label: value }) });
  expect((await label("make my lambda zoom", "qa.lambda-memory")).status).toBe(200);
  expect((await label("where can I buy cheap concert tickets", "outOfScope")).status).toBe(200);
  expect((await label("what's the weather on mars today", "dismissed")).status).toBe(200);

  const intentsBefore = readFileSync(join(content, "intents/qa-lambda.yaml"), "utf8");
  const first = await cli(["export", "--url", `${stack.url}/admin`, "--token", token, "--content", content]);
  expect(first.err).toBe("");
  expect(first.code).toBe(0);
  expect(first.out).toContain("intents/qa-lambda.yaml: +1");
  expect(first.out).toContain("out-of-scope/en.yaml: +1");

  // The pack still validates, and holds the new phrases where they belong.
  const pack = loadContent(content);
  expect(pack.intents.find((intent) => intent.id === "qa.lambda-memory")?.examples.en).toContain(
    "make my lambda zoom",
  );
  expect(parse(readFileSync(join(content, "out-of-scope/en.yaml"), "utf8")).examples.en).toEqual([
    "where can I buy cheap concert tickets",
  ]);
  expect(JSON.stringify(pack)).not.toContain("mars");
  // Only one line was added to the intent file; every comment and answer stayed as it was.
  const after = readFileSync(join(content, "intents/qa-lambda.yaml"), "utf8").split("\n");
  const before = intentsBefore.split("\n");
  expect(after.length).toBe(before.length + 1);
  const added = after.findIndex((line, i) => line !== before[i]);
  expect(after[added]).toMatch(/^ {6}- make my lambda zoom$/);
  expect([...after.slice(0, added), ...after.slice(added + 1)]).toEqual(before);

  // Exporting again adds nothing: everything is already in the pack.
  const again = await cli(["export", "--content", content], {
    LAMBDAGRAM_ADMIN_URL: stack.url,
    LAMBDAGRAM_ADMIN_TOKEN: token,
  });
  expect(again.err).toBe("");
  expect(again.code).toBe(0);
  expect(again.out).toContain("Added 0 phrases; 2 already in the pack");
  expect(readFileSync(join(content, "intents/qa-lambda.yaml"), "utf8").split("\n")).toEqual(after);
}, 60_000);

it("says clearly how to give the URL and token when pulumi is not installed, or the token is wrong", async () => {
  const missing = Object.assign(new Error("spawnSync pulumi ENOENT"), { code: "ENOENT" });
  const noPulumi = await cli(["export", "--content", content], {}, (() => ({
    status: null,
    stdout: "",
    stderr: "",
    error: missing,
  })) as never);
  expect(noPulumi.code).toBe(1);
  expect(noPulumi.err).toMatch(
    /pulumi is not installed: pass --url and --token, or set LAMBDAGRAM_ADMIN_URL/,
  );

  const wrong = await cli(["export", "--url", `${stack.url}/admin`, "--token", "nope", "--content", content]);
  expect(wrong.code).toBe(1);
  expect(wrong.err).toMatch(/refused the token \(401\)/);
  expect(existsSync(join(content, "out-of-scope/en.yaml"))).toBe(false);

  expect((await cli(["frobnicate"])).code).toBe(2);
});
