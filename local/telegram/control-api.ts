/**
 * The emulator's HTTP control API under `/_emulator/` (JSON), for the web chat of `npm start` and for tools
 * outside the test process: simulated users, their messages and button presses, transcripts, a long-poll
 * event feed, run-time settings, faults and counters. It only uses the emulator's public JavaScript API.
 *
 * Groups, e.g. the support group of human handoff (bot/handoff/; `npm start` makes one, see local/stack.ts):
 * `GET /_emulator/chats/{groupId}/messages` lists its messages (each with `message.from`, and
 * `replyToMessageId` for replies), and a staff member answers a thread with
 * `POST /_emulator/users/{staffId}/messages {"text", "chat_id": groupId, "reply_to_message_id"}`: the update
 * carries the replied-to message as Telegram's does. `/close` the same way ends the thread.
 * It answers the page's own origin and `Host` only (see local/http/same-origin.ts): no CORS.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, readCapped } from "../http/body";
import { RouteTable } from "../http/routes";
import { foreignRequest, ownHosts } from "../http/same-origin";
import type { FaultSpec, TelegramEmulator } from "./emulator";
import { EmulatorError, InvalidEmulatorInputError } from "./errors";

/** A control route's answer: status (default 200) and JSON body; undefined when it wrote the response. */
type Answer = { status?: number; body: unknown } | undefined;

interface ControlRequest {
  emulator: TelegramEmulator;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  body: Record<string, unknown>;
  /** `params.id` as a number. */
  id: number;
}

type ControlHandler = (request: ControlRequest) => Answer | Promise<Answer>;

/** The routes, served and listed in the 404 help from this one table. */
export const controlRoutes = new RouteTable<ControlHandler>()
  .add("GET /_emulator/bot", ({ emulator }) => ({
    body: { botInfo: emulator.botInfo, webhook: emulator.webhookInfo(), settings: emulator.settings() },
  }))
  .add("GET /_emulator/users", ({ emulator }) => ({
    body: { users: emulator.users().map((user) => ({ ...user, blocked: emulator.isBlocked(user.id) })) },
  }))
  .add(
    "POST /_emulator/users",
    ({ emulator, body }) => ({ status: 201, body: { user: emulator.createUser(body) } }),
    "{id?, first_name?, last_name?, username?, language_code?}",
  )
  .add("GET /_emulator/users/{id}", ({ emulator, id }) => ({
    body: { user: emulator.user(id), blocked: emulator.isBlocked(id) },
  }))
  .add(
    "POST /_emulator/users/{id}/messages",
    ({ emulator, id, body }) => ({
      status: 201,
      body: {
        update: emulator.sendText(id, requiredString(body, "text"), {
          ...optionalChat(body),
          ...(body.reply_to_message_id === undefined
            ? {}
            : { replyToMessageId: requiredNumber(body, "reply_to_message_id") }),
        }),
      },
    }),
    "{text, chat_id?, reply_to_message_id?}",
  )
  .add(
    "POST /_emulator/users/{id}/callback",
    ({ emulator, id, body }) => ({
      status: 201,
      body: {
        update: emulator.pressButton(
          id,
          requiredNumber(body, "message_id"),
          requiredString(body, "data"),
          optionalChat(body),
        ),
      },
    }),
    "{message_id, data, chat_id?}",
  )
  .add(
    "POST /_emulator/users/{id}/reply-button",
    ({ emulator, id, body }) => ({
      status: 201,
      body: { update: emulator.pressReplyButton(id, requiredString(body, "text"), optionalChat(body)) },
    }),
    "{text, chat_id?}",
  )
  .add("POST /_emulator/users/{id}/block", ({ emulator, id }) => {
    emulator.blockUser(id);
    return { body: { user: emulator.user(id), blocked: true } };
  })
  .add("POST /_emulator/users/{id}/unblock", ({ emulator, id }) => {
    emulator.unblockUser(id);
    return { body: { user: emulator.user(id), blocked: false } };
  })
  .add(
    "POST /_emulator/groups",
    ({ emulator, body }) => {
      const title = typeof body.title === "string" ? body.title : undefined;
      const groupId = typeof body.id === "number" ? body.id : undefined;
      return {
        status: 201,
        body: {
          chat: emulator.createGroup({ ...(groupId ? { id: groupId } : {}), ...(title ? { title } : {}) }),
        },
      };
    },
    "{id?, title?}",
  )
  .add("GET /_emulator/chats/{id}/messages", ({ emulator, id }) => {
    const keyboard = emulator.replyKeyboard(id);
    return {
      body: {
        chatId: id,
        messages: emulator.chatHistory(id),
        ...(keyboard ? { replyKeyboard: keyboard } : {}),
      },
    };
  })
  .add(
    "GET /_emulator/chats/{id}/commands",
    ({ emulator, id, url }) => ({
      body: { commands: emulator.menuCommands(id, url.searchParams.get("language_code") ?? "") },
    }),
    "?language_code=",
  )
  .add("GET /_emulator/events", events, "?since=<seq>&chat_id=&timeout_ms=")
  .add("GET /_emulator/settings", ({ emulator }) => ({ body: emulator.settings() }))
  .add(
    "POST /_emulator/settings",
    ({ emulator, body }) => ({ body: emulator.updateSettings(body) }),
    "{limits?, delivery?, blockedUserIds?}",
  )
  .add("GET /_emulator/faults", ({ emulator }) => ({ body: { faults: emulator.pendingFaults() } }))
  .add(
    "POST /_emulator/faults",
    ({ emulator, body }) => {
      const faults = Array.isArray(body.faults) ? body.faults : undefined;
      if (!faults)
        throw new InvalidEmulatorInputError(
          'POST /_emulator/faults needs {"faults": [{"method": ..., "response": ...}]}.',
        );
      emulator.injectFaults(faults as FaultSpec[]);
      return { status: 201, body: { faults: emulator.pendingFaults() } };
    },
    '{faults: [{method, chatId?, times?, response: 400|429|403|500|502|"network", retryAfter?, detail?}]}',
  )
  .add("DELETE /_emulator/faults", ({ emulator }) => {
    emulator.clearFaults();
    return { body: { faults: [] } };
  })
  .add("GET /_emulator/stats", ({ emulator }) => ({ body: emulator.stats() }))
  .add("POST /_emulator/stats/reset", ({ emulator }) => {
    emulator.resetStats();
    return { body: emulator.stats() };
  })
  .add(
    "GET /_emulator/calls",
    ({ emulator, url }) => {
      const wanted = url.searchParams.get("method");
      const since = Number(url.searchParams.get("since") ?? "0") || 0;
      const calls = (wanted ? emulator.callsOf(wanted) : emulator.calls).filter((call) => call.seq > since);
      return { body: { calls } };
    },
    "?method=&since=<seq>",
  )
  .add("GET /_emulator/deliveries", ({ emulator }) => ({ body: { deliveries: emulator.deliveries } }))
  .add("GET /_emulator/webhook", ({ emulator }) => ({ body: emulator.webhookInfo() }))
  .add("GET /_emulator/files/{fileId}", file);

async function events({ emulator, url, res }: ControlRequest): Promise<Answer> {
  const since = Number(url.searchParams.get("since") ?? "0") || 0;
  const chatText = url.searchParams.get("chat_id");
  const timeoutText = url.searchParams.get("timeout_ms");
  const cancelled = new AbortController();
  res.once("close", () => cancelled.abort());
  const found = await emulator.nextEvents(since, {
    ...(chatText ? { chatId: Number(chatText) } : {}),
    ...(timeoutText ? { timeoutMs: Math.min(60_000, Number(timeoutText) || 0) } : {}),
    signal: cancelled.signal,
  });
  if (res.destroyed) return undefined;
  return { body: { events: found, lastSeq: emulator.lastEventSeq } };
}

function file({ emulator, params, res }: ControlRequest): Answer {
  const fileId = params.fileId ?? "";
  const stored = emulator.file(fileId);
  if (!stored)
    return { status: 404, body: { error: "NotFound", message: `No file ${fileId} in the emulator.` } };
  if (stored.data) {
    res.writeHead(200, { "content-type": stored.mimeType, "content-length": stored.data.length });
    res.end(stored.data);
  } else {
    res.writeHead(302, { location: stored.url ?? "" }).end();
  }
  return undefined;
}

/** Serves one `/_emulator/...` request. */
export async function serveControlApi(
  emulator: TelegramEmulator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const refused = emulator.baseUrlOrUndefined
    ? foreignRequest(req, ownHosts(emulator.baseUrlOrUndefined))
    : undefined;
  if (refused) {
    req.resume();
    reply(res, 403, { error: "Forbidden", message: refused });
    return;
  }
  try {
    const found = controlRoutes.match(req.method ?? "GET", url.pathname);
    if (!found) {
      req.resume();
      const path = url.pathname.replace(/\/+$/, "");
      reply(res, 404, {
        error: "NotFound",
        message: `No emulator route ${req.method ?? "GET"} ${path}.`,
        routes: controlRoutes.help(),
      });
      return;
    }
    const body = req.method === "POST" ? await jsonBody(req) : {};
    const id = found.params.id === undefined ? Number.NaN : Number(found.params.id);
    const answer = await found.handler({ emulator, req, res, url, params: found.params, body, id });
    if (answer !== undefined) reply(res, answer.status ?? 200, answer.body);
  } catch (error) {
    if (error instanceof EmulatorError)
      reply(res, error.status, { error: error.name, message: error.message });
    else if (error instanceof BodyTooLargeError)
      reply(res, error.status, { error: error.name, message: error.message });
    else throw error;
  }
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = (await readCapped(req, 1024 * 1024)).toString("utf8");
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
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
