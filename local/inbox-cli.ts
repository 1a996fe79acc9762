/**
 * `npx lambdagram inbox export`: the step of the weekly loop that turns the admins' labels into content. It pages
 * `GET /admin/inbox?status=labelled` and `?status=outOfScope` from the admin API (bot/inbox/admin-routes.ts), then
 * appends each labelled text to its intent's `examples.<language>` and each out-of-scope one to
 * `content/out-of-scope/<language>.yaml` (content/append-examples.ts: the files keep their comments and format,
 * duplicates are skipped), and checks the pack as `npm run content:check` does. Nothing is trained here: the next
 * `npm run deploy` trains the model from content/.
 *
 * The admin API URL and token: `--url` / `--token`, else LAMBDAGRAM_ADMIN_URL / LAMBDAGRAM_ADMIN_TOKEN, else
 * `pulumi stack output adminApiUrl` and `pulumi stack output adminApiToken --show-secrets` (the deployed stack).
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type AppendReport, appendExamples } from "../content/append-examples";
import { ContentError, loadContent } from "../content/load";

/** Environment variables the CLI reads when no flag is given. */
export const inboxCliEnv = { url: "LAMBDAGRAM_ADMIN_URL", token: "LAMBDAGRAM_ADMIN_TOKEN" } as const;

const USAGE = `Usage: npx lambdagram inbox export [--url <admin API URL>] [--token <admin token>] [--content <dir>]

Writes the inbox entries an admin labelled (in Telegram with /inbox, or POST /admin/inbox/{id}) into content/:
labelled texts as examples of their intent, out-of-scope ones into content/out-of-scope/<language>.yaml.
Then run \`npm run deploy\` to train and ship them.

  --url      the admin API, as \`pulumi stack output adminApiUrl\` prints it (e.g. https://abc.execute-api.eu-west-1.amazonaws.com/admin;
             locally http://127.0.0.1:8787/admin). Default: $${inboxCliEnv.url}, then pulumi.
  --token    the admin API bearer token. Default: $${inboxCliEnv.token}, then \`pulumi stack output adminApiToken --show-secrets\`.
  --content  the content folder to write (default: content/).`;

/** Thrown for what the operator must fix (a missing URL or token, an API error); the message says how. */
export class InboxExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InboxExportError";
  }
}

/** How the CLI runs an external command (injectable, so tests need no pulumi). */
export type CommandRunner = (
  command: string,
  args: string[],
) => { status: number | null; stdout: string; stderr: string; error?: Error };

const runCommand: CommandRunner = (command, args) => {
  const result = spawnSync(command, args, { encoding: "utf8" });
  return {
    status: result.status,
    stdout: result.stdout ?? "",
    stderr: result.stderr ?? "",
    error: result.error,
  };
};

/** One value of `pulumi stack output`, or a clear error when pulumi is missing or has no stack selected. */
function pulumiOutput(run: CommandRunner, name: string, secret: boolean): string {
  const args = ["stack", "output", name, ...(secret ? ["--show-secrets"] : [])];
  const result = run("pulumi", args);
  const hint =
    `pass --url and --token, or set ${inboxCliEnv.url} and ${inboxCliEnv.token} ` +
    "(`npm start` prints the local admin token; its admin API is http://127.0.0.1:8787/admin)";
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT")
    throw new InboxExportError(
      `The admin API ${secret ? "token" : "URL"} was not given and pulumi is not installed: ${hint}.`,
    );
  if (result.status !== 0 || result.stdout.trim() === "")
    throw new InboxExportError(
      `\`pulumi ${args.join(" ")}\` failed (${result.stderr.trim().split("\n")[0] || `exit ${result.status}`}): ` +
        `select the deployed stack with \`pulumi stack select\`, or ${hint}.`,
    );
  return result.stdout.trim();
}

/** The admin API base (ending in /admin) from what the operator gave. */
function adminBase(url: string): string {
  const trimmed = url.replace(/\/+$/, "");
  return trimmed.endsWith("/admin") ? trimmed : `${trimmed}/admin`;
}

interface ListedEntry {
  text: string;
  language: string;
  label?: string;
}

/** Attempts per page: the admin routes are throttled (429) and a cold or busy function may answer 5xx. */
const attemptsPerPage = 4;

/** One GET, retried with backoff on 429, 5xx and network errors. */
async function getWithRetries(url: string, token: string, base: string): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      if ((response.status !== 429 && response.status < 500) || attempt >= attemptsPerPage) return response;
    } catch (error) {
      if (attempt >= attemptsPerPage)
        throw new InboxExportError(
          `Could not reach the admin API at ${base} (${(error as Error).message}); check --url (is the stack deployed, or \`npm start\` running?).`,
        );
    }
    await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
  }
}

/** Every entry of a status, page by page. */
async function allEntries(base: string, token: string, status: string): Promise<ListedEntry[]> {
  const entries: ListedEntry[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ status, limit: "100", ...(cursor ? { cursor } : {}) });
    const response = await getWithRetries(`${base}/inbox?${query}`, token, base);
    const body = (await response.json().catch(() => ({}))) as {
      entries?: ListedEntry[];
      cursor?: string;
      error?: string;
    };
    if (response.status === 401)
      throw new InboxExportError(
        `The admin API refused the token (401); check --token / ${inboxCliEnv.token}.`,
      );
    if (!response.ok || !Array.isArray(body.entries))
      throw new InboxExportError(
        `GET ${base}/inbox?status=${status} answered ${response.status}${body.error ? `: ${body.error}` : ""}.`,
      );
    entries.push(...body.entries);
    cursor = body.cursor;
  } while (cursor);
  return entries;
}

/** Options of {@link exportInbox}. */
export interface ExportOptions {
  url?: string;
  token?: string;
  content?: string;
  environment?: Record<string, string | undefined>;
  run?: CommandRunner;
}

/** Pages the labelled and out-of-scope entries and writes them into the content folder; returns the report. */
export async function exportInbox(options: ExportOptions = {}): Promise<AppendReport & { root: string }> {
  const environment = options.environment ?? process.env;
  const run = options.run ?? runCommand;
  const url = options.url ?? environment[inboxCliEnv.url] ?? pulumiOutput(run, "adminApiUrl", false);
  const token = options.token ?? environment[inboxCliEnv.token] ?? pulumiOutput(run, "adminApiToken", true);
  const root = resolve(options.content ?? "content");
  // The pack must be valid before it is edited (and gives the languages an example may have).
  const { languages } = loadContent(root).settings;
  const base = adminBase(url);
  const labelled = await allEntries(base, token, "labelled");
  const outOfScope = await allEntries(base, token, "outOfScope");
  const report = appendExamples(root, {
    languages,
    examples: labelled.flatMap((entry) =>
      entry.label ? [{ intent: entry.label, language: entry.language, text: entry.text }] : [],
    ),
    negatives: outOfScope.map((entry) => ({ language: entry.language, text: entry.text })),
  });
  loadContent(root);
  return { ...report, root };
}

/** Prints what an export did: each file written, and why phrases were skipped (the "already there" ones counted). */
function summary(report: AppendReport, log: (line: string) => void): void {
  const byFile = new Map<string, number>();
  for (const added of report.added) byFile.set(added.file, (byFile.get(added.file) ?? 0) + 1);
  for (const [file, count] of byFile) log(`  ${file}: +${count}`);
  const already = report.skipped.filter((skip) => skip.reason.startsWith("already in the pack"));
  for (const skip of report.skipped.filter((s) => !already.includes(s)))
    log(`  skipped "${skip.text}" (${skip.target}, ${skip.language}): ${skip.reason}`);
  log(
    `Added ${report.added.length} phrase${report.added.length === 1 ? "" : "s"}` +
      (already.length > 0 ? `; ${already.length} already in the pack` : "") +
      ". Content checked: OK. Next: review with `git diff content/`, then `npm run deploy` trains and ships them.",
  );
}

/** The `inbox` area of `npx lambdagram`: returns the exit code (0 done, 1 failed, 2 usage). */
export async function main(
  argv: string[],
  log: (line: string) => void = console.log,
  error: (line: string) => void = console.error,
  options: Pick<ExportOptions, "environment" | "run"> = {},
): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === "help" || command === "--help") {
    log(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== "export") {
    error(`Unknown inbox command "${command}".\n${USAGE}`);
    return 2;
  }
  let values: { url?: string; token?: string; content?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { url: { type: "string" }, token: { type: "string" }, content: { type: "string" } },
    }));
  } catch (caught) {
    error(`${(caught as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    const report = await exportInbox({ ...values, ...options });
    log(`Inbox export into ${report.root}:`);
    summary(report, log);
    return 0;
  } catch (caught) {
    if (caught instanceof InboxExportError || caught instanceof ContentError) {
      error(caught.message);
      return 1;
    }
    throw caught;
  }
}
