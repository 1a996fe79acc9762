/**
 * Serves the web chat (static files in this folder) for the local stack. The page talks to the Telegram
 * emulator's control API (`/_emulator/...`) and to the admin API.
 */
import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";

const files: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};

/** Serves a web-chat file for `path`; returns false when the path is not one of them. */
export function serveWebChat(
  path: string,
  res: ServerResponse,
  _settings: { adminApiToken: string },
): boolean {
  const entry = files[path];
  if (!entry) return false;
  res
    .writeHead(200, { "content-type": entry.type, "cache-control": "no-store" })
    .end(readFileSync(join(__dirname, entry.file)));
  return true;
}
