/**
 * Serves the web chat (static files in this folder) for the local stack. The page talks to the Telegram
 * emulator's control API (`/_emulator/...`) and to the admin API, whose bearer token it reads from
 * `/web-config.json` (the stack listens on loopback only, so handing the token to the page is fine).
 */
import { existsSync, readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";

/** The page's files: next to this module from source, or under local/web when run from the start bundle. */
const webRoot = existsSync(join(__dirname, "index.html")) ? __dirname : join(process.cwd(), "local", "web");

/** What the page reads from `GET /web-config.json`. */
export interface WebChatConfig {
  /** The admin API bearer token, for the broadcast panel. */
  adminApiToken: string;
}

const files: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
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

/** Serves a web-chat file (or `/web-config.json`) for `path`; returns false when the path is not one of them. */
export function serveWebChat(path: string, res: ServerResponse, settings: WebChatConfig): boolean {
  if (path === "/web-config.json") {
    const config: WebChatConfig = { adminApiToken: settings.adminApiToken };
    res
      .writeHead(200, { ...securityHeaders, "content-type": "application/json; charset=utf-8" })
      .end(JSON.stringify(config));
    return true;
  }
  const entry = files[path];
  if (!entry) return false;
  res
    .writeHead(200, { ...securityHeaders, "content-type": entry.type })
    .end(readFileSync(join(webRoot, entry.file)));
  return true;
}
