/**
 * The emulator's HTTP control API under `/_emulator/` (JSON), for the web chat of `npm start` and for tools
 * outside the test process: simulated users, their messages and button presses, transcripts, a long-poll
 * event feed, run-time settings, faults and counters. It only uses the emulator's public JavaScript API.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultSpec, TelegramEmulator } from "./emulator";
import { EmulatorError, InvalidEmulatorInputError } from "./errors";
import { RequestBodyError, readBody } from "./http-body";

/** The routes, for the 404 answer and the docs. */
export const controlRoutes = [
  "GET  /_emulator/bot",
  "GET  /_emulator/users",
  "POST /_emulator/users {id?, first_name?, last_name?, username?, language_code?}",
  "GET  /_emulator/users/:id",
  "POST /_emulator/users/:id/messages {text, chat_id?}",
  "POST /_emulator/users/:id/callback {message_id, data, chat_id?}",
  "POST /_emulator/users/:id/reply-button {text, chat_id?}",
  "POST /_emulator/users/:id/block",
  "POST /_emulator/users/:id/unblock",
  "POST /_emulator/groups {id?, title?}",
  "GET  /_emulator/chats/:id/messages",
  "GET  /_emulator/chats/:id/commands?language_code=",
  "GET  /_emulator/events?since=<seq>&chat_id=&timeout_ms=",
  "GET  /_emulator/settings",
  "POST /_emulator/settings {limits?, delivery?, blockedUserIds?}",
  "GET  /_emulator/faults",
  "POST /_emulator/faults {faults: [{method, chatId?, times?, response, retryAfter?}]}",
  "DELETE /_emulator/faults",
  "GET  /_emulator/stats",
  "POST /_emulator/stats/reset",
  "GET  /_emulator/calls?method=&since=<seq>",
  "GET  /_emulator/deliveries",
  "GET  /_emulator/webhook",
  "GET  /_emulator/files/:fileId",
] as const;

const corsHeaders = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
  "access-control-allow-headers": "content-type",
};

/** Serves one `/_emulator/...` request. */
export async function serveControlApi(
  emulator: TelegramEmulator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (req.method === "OPTIONS") {
    res.writeHead(204, corsHeaders).end();
    return;
  }
  try {
    const body = req.method === "POST" ? await jsonBody(req) : {};
    const answer = await route(emulator, req, res, url, body);
    if (answer !== undefined) reply(res, answer.status ?? 200, answer.body);
  } catch (error) {
    if (error instanceof EmulatorError)
      reply(res, error.status, { error: error.name, message: error.message });
    else if (error instanceof RequestBodyError)
      reply(res, error.status, { error: error.name, message: error.message });
    else throw error;
  }
}

type Answer = { status?: number; body: unknown } | undefined;

async function route(
  emulator: TelegramEmulator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Record<string, unknown>,
): Promise<Answer> {
  const path = url.pathname.replace(/\/+$/, "");
  const method = req.method ?? "GET";
  const segments = path.split("/").slice(2).map(decodeURIComponent);
  const [resource, idText, action] = segments;
  const id = idText === undefined ? Number.NaN : Number(idText);
  const is = (verb: string, pattern: string) => method === verb && shape(segments) === pattern;

  if (is("GET", "bot")) {
    return {
      body: { botInfo: emulator.botInfo, webhook: emulator.webhookInfo(), settings: emulator.settings() },
    };
  }
  if (is("GET", "users")) {
    return {
      body: { users: emulator.users().map((user) => ({ ...user, blocked: emulator.isBlocked(user.id) })) },
    };
  }
  if (is("POST", "users")) return { status: 201, body: { user: emulator.createUser(body) } };
  if (is("GET", "users/:id")) return { body: { user: emulator.user(id), blocked: emulator.isBlocked(id) } };
  if (is("POST", "users/:id/:action")) {
    const chat = optionalChat(body);
    switch (action) {
      case "messages":
        return { status: 201, body: { update: emulator.sendText(id, requiredString(body, "text"), chat) } };
      case "callback":
        return {
          status: 201,
          body: {
            update: emulator.pressButton(
              id,
              requiredNumber(body, "message_id"),
              requiredString(body, "data"),
              chat,
            ),
          },
        };
      case "reply-button":
        return {
          status: 201,
          body: { update: emulator.pressReplyButton(id, requiredString(body, "text"), chat) },
        };
      case "block":
        emulator.blockUser(id);
        return { body: { user: emulator.user(id), blocked: true } };
      case "unblock":
        emulator.unblockUser(id);
        return { body: { user: emulator.user(id), blocked: false } };
    }
  }
  if (is("POST", "groups")) {
    const title = typeof body.title === "string" ? body.title : undefined;
    const groupId = typeof body.id === "number" ? body.id : undefined;
    return {
      status: 201,
      body: {
        chat: emulator.createGroup({ ...(groupId ? { id: groupId } : {}), ...(title ? { title } : {}) }),
      },
    };
  }
  if (is("GET", "chats/:id/messages")) {
    const keyboard = emulator.replyKeyboard(id);
    return {
      body: {
        chatId: id,
        messages: emulator.chatHistory(id),
        ...(keyboard ? { replyKeyboard: keyboard } : {}),
      },
    };
  }
  if (is("GET", "chats/:id/commands")) {
    return { body: { commands: emulator.menuCommands(id, url.searchParams.get("language_code") ?? "") } };
  }
  if (is("GET", "events")) {
    const since = Number(url.searchParams.get("since") ?? "0") || 0;
    const chatText = url.searchParams.get("chat_id");
    const timeoutText = url.searchParams.get("timeout_ms");
    const cancelled = new AbortController();
    res.once("close", () => cancelled.abort());
    const events = await emulator.nextEvents(since, {
      ...(chatText ? { chatId: Number(chatText) } : {}),
      ...(timeoutText ? { timeoutMs: Math.min(60_000, Number(timeoutText) || 0) } : {}),
      signal: cancelled.signal,
    });
    if (res.destroyed) return undefined;
    return { body: { events, lastSeq: emulator.lastEventSeq } };
  }
  if (is("GET", "settings")) return { body: emulator.settings() };
  if (is("POST", "settings")) return { body: emulator.updateSettings(body) };
  if (is("GET", "faults")) return { body: { faults: emulator.pendingFaults() } };
  if (is("POST", "faults")) {
    const faults = Array.isArray(body.faults) ? body.faults : undefined;
    if (!faults)
      throw new InvalidEmulatorInputError(
        'POST /_emulator/faults needs {"faults": [{"method": ..., "response": ...}]}.',
      );
    emulator.injectFaults(faults as FaultSpec[]);
    return { status: 201, body: { faults: emulator.pendingFaults() } };
  }
  if (is("DELETE", "faults")) {
    emulator.clearFaults();
    return { body: { faults: [] } };
  }
  if (is("GET", "stats")) return { body: emulator.stats() };
  if (is("POST", "stats/reset")) {
    emulator.resetStats();
    return { body: emulator.stats() };
  }
  if (is("GET", "calls")) {
    const wanted = url.searchParams.get("method");
    const since = Number(url.searchParams.get("since") ?? "0") || 0;
    const calls = (wanted ? emulator.callsOf(wanted) : emulator.calls).filter((call) => call.seq > since);
    return { body: { calls } };
  }
  if (is("GET", "deliveries")) return { body: { deliveries: emulator.deliveries } };
  if (is("GET", "webhook")) return { body: emulator.webhookInfo() };
  if (method === "GET" && resource === "files" && idText !== undefined) {
    const file = emulator.file(idText);
    if (!file)
      return { status: 404, body: { error: "NotFound", message: `No file ${idText} in the emulator.` } };
    if (file.data) {
      res.writeHead(200, {
        ...corsHeaders,
        "content-type": file.mimeType,
        "content-length": file.data.length,
      });
      res.end(file.data);
    } else {
      res.writeHead(302, { ...corsHeaders, location: file.url ?? "" }).end();
    }
    return undefined;
  }
  return {
    status: 404,
    body: { error: "NotFound", message: `No emulator route ${method} ${path}.`, routes: controlRoutes },
  };
}

/** `["users", "42", "messages"]` → `"users/:id/:action"`, with the action checked by the caller. */
function shape(segments: string[]): string {
  return segments
    .map((segment, index) => {
      if (index === 1 && segments[0] !== "stats") return ":id";
      if (index === 2 && segments[0] === "users") return ":action";
      return segment;
    })
    .join("/");
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = (await readBody(req, 1024 * 1024)).toString("utf8");
  if (raw.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidEmulatorInputError("The control API takes JSON bodies; this one does not parse.");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InvalidEmulatorInputError("The control API takes a JSON object as body.");
  }
  return parsed as Record<string, unknown>;
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string") {
    throw new InvalidEmulatorInputError(`The request body needs "${field}" as a string.`);
  }
  return value;
}

function requiredNumber(body: Record<string, unknown>, field: string): number {
  const value = typeof body[field] === "string" ? Number(body[field]) : body[field];
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new InvalidEmulatorInputError(`The request body needs "${field}" as an integer.`);
  }
  return value;
}

function optionalChat(body: Record<string, unknown>): { chatId?: number } {
  return typeof body.chat_id === "number" ? { chatId: body.chat_id } : {};
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...corsHeaders,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}
