/**
 * Serves the web chat (static files in this folder) for the local stack. The page talks to the Telegram
 * emulator's control API (`/_emulator/...`) and to the admin API, whose bearer token it reads from
 * `/web-config.json`. That file is answered only to the page's own origin and `Host` (a foreign `Host` is
 * another site's DNS name rebound to 127.0.0.1), so no other web page can read the token.
 */
import { existsSync, readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import type { Content, Localized } from "../../content/schema";
import type { RouteTable } from "../http/routes";
import { foreignRequest } from "../http/same-origin";

/** The page's files: next to this module from source, or under local/web when run from the start bundle. */
const webRoot = existsSync(join(__dirname, "index.html")) ? __dirname : join(process.cwd(), "local", "web");

/** What the page reads from `GET /web-config.json`. */
export interface WebChatConfig {
  /** The admin API bearer token, for the broadcast panel and the operator view. */
  adminApiToken: string;
  /** The content's intents (id, English title): the operator view labels inbox entries with them. */
  intents?: { id: string; title: string }[];
  /** The content's questionnaires, with question and choice titles, for the results panel. */
  questionnaires?: {
    id: string;
    version: number;
    title: string;
    questions: { id: string; prompt: string; type: string; options?: { value: string; label: string }[] }[];
  }[];
  /** The emulator's support group and the staff user who answers in it (human handoff), if any. */
  support?: { chatId: number; staffUserId: number };
}

/** The operator's language for titles: English, or the first language the content has. */
function english(text: Localized<string>): string {
  return text.en ?? Object.values(text)[0] ?? "";
}

/** The part of the content the operator view shows: intent titles and the questionnaires' questions. */
export function operatorCatalog(content: Content): Pick<WebChatConfig, "intents" | "questionnaires"> {
  return {
    intents: content.intents.map((intent) => ({ id: intent.id, title: english(intent.title) })),
    questionnaires: content.questionnaires.map((questionnaire) => ({
      id: questionnaire.id,
      version: questionnaire.version,
      title: english(questionnaire.title),
      questions: questionnaire.questions.map((question) => ({
        id: question.id,
        prompt: english(question.prompt),
        type: question.type,
        ...("options" in question
          ? {
              options: question.options.map((option) => ({
                value: option.value,
                label: english(option.label),
              })),
            }
          : {}),
      })),
    })),
  };
}

const files: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  ...Object.fromEntries(
    [
      "app.js",
      "core.js",
      "users.js",
      "panes.js",
      "messages.js",
      "events.js",
      "broadcasts.js",
      "operator.js",
      "operator-client.js",
      "operator-charts.js",
      "operator-stats.js",
      "operator-inbox.js",
      "operator-support.js",
      "operator-results.js",
    ].map((file) => [`/${file}`, { file, type: "text/javascript; charset=utf-8" }]),
  ),
  ...Object.fromEntries(
    ["style.css", "panels.css", "chat.css", "operator.css"].map((file) => [
      `/${file}`,
      { file, type: "text/css; charset=utf-8" },
    ]),
  ),
};

/**
 * Same origin only: no inline script, no third-party fetches or images, so bot text can never turn into
 * code even if a bug rendered it as HTML.
 */
const securityHeaders = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/** Adds the web chat's routes (its files and `/web-config.json`) to `table`; `hosts` are the stack's own. */
export function addWebChatRoutes(
  table: RouteTable,
  settings: WebChatConfig,
  hosts: ReadonlySet<string>,
): void {
  table.add("GET /web-config.json", ({ req, res }) => {
    const refused = foreignRequest(req, hosts);
    if (refused) {
      send(res, 403, "text/plain; charset=utf-8", refused);
      return;
    }
    const config: WebChatConfig = { ...settings };
    send(res, 200, "application/json; charset=utf-8", JSON.stringify(config));
  });
  for (const [path, entry] of Object.entries(files))
    table.add(`GET ${path}`, ({ res }) =>
      send(res, 200, entry.type, readFileSync(join(webRoot, entry.file))),
    );
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { ...securityHeaders, "content-type": type }).end(body);
}
