/**
 * The broadcast routes of the admin API (bot/admin-api/router.ts checks the token first):
 * - `POST /admin/broadcasts` {text, parseMode?, buttons?, audience?, progressChatId?, requestId?} → 202 progress
 *   (an `Idempotency-Key` header or `requestId` makes a retried POST return the same broadcast);
 * - `GET /admin/broadcasts/{id}` → 200 progress, or 404;
 * - `POST /admin/broadcasts/{id}/cancel` → 200 progress (status cancelled), 404, or 409 when already finished.
 * Bad input gets 400 with `{ error, field }` (broken HTML or MarkdownV2 named by position) and nothing is recorded
 * or queued; an `Idempotency-Key` reused with a different body gets 422 naming the key.
 */
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { json, jsonBody, problem } from "../admin-api/http";
import type { AdminRoutes } from "../admin-api/router";
import { JobQueueError } from "../jobs/port";
import type { BroadcastRequest, Logger } from "../ports";
import { StorageError } from "../storage/port";
import { BroadcastFinishedError, IdempotencyKeyReusedError, type ManagedBroadcastQueue } from "./service";
import { InvalidBroadcastError } from "./validation";

function requestFrom(
  body: unknown,
  event: APIGatewayProxyEventV2,
  newRequestId: () => string,
): BroadcastRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new InvalidBroadcastError("body", 'The body must be a JSON object like {"text": "Hello"}.');
  const fields = body as Record<string, unknown>;
  const known = ["text", "parseMode", "buttons", "audience", "progressChatId", "requestId"];
  const unknown = Object.keys(fields).find((key) => !known.includes(key));
  if (unknown)
    throw new InvalidBroadcastError(unknown, `Unknown field "${unknown}"; accepted: ${known.join(", ")}.`);
  if (typeof fields.text !== "string")
    throw new InvalidBroadcastError("text", "text must be a string: the message to broadcast.");
  if (fields.progressChatId !== undefined && !Number.isSafeInteger(fields.progressChatId))
    throw new InvalidBroadcastError(
      "progressChatId",
      "progressChatId must be a Telegram chat id (an integer).",
    );
  const idempotencyKey = event.headers?.["idempotency-key"] ?? fields.requestId;
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== "string" || idempotencyKey.length > 200))
    throw new InvalidBroadcastError(
      "requestId",
      "requestId / Idempotency-Key must be a string of at most 200 characters.",
    );
  return {
    text: fields.text,
    ...(fields.parseMode !== undefined
      ? { parseMode: fields.parseMode as BroadcastRequest["parseMode"] }
      : {}),
    ...(fields.buttons !== undefined ? { buttons: fields.buttons as BroadcastRequest["buttons"] } : {}),
    ...(fields.audience !== undefined ? { audience: fields.audience as BroadcastRequest["audience"] } : {}),
    ...(fields.progressChatId !== undefined ? { progressChatId: fields.progressChatId as number } : {}),
    // 0: started through the admin API rather than by a Telegram user.
    requestedBy: 0,
    requestId: `api-${idempotencyKey ?? newRequestId()}`,
  };
}

/** The broadcast route group over a broadcast service. */
export function broadcastAdminRoutes(deps: {
  broadcasts: ManagedBroadcastQueue;
  logger: Logger;
  newRequestId?: () => string;
}): AdminRoutes {
  const newRequestId = deps.newRequestId ?? randomUUID;
  const notFound = (id: string | undefined) => problem(404, `No broadcast has the id "${id ?? ""}".`);
  return {
    routes: {
      "POST /admin/broadcasts": async (event) => {
        const body = jsonBody(
          event,
          '{"text": "Hello"}',
          (field, message) => new InvalidBroadcastError(field, message),
        );
        const { id: created } = await deps.broadcasts.enqueue(requestFrom(body, event, newRequestId));
        deps.logger.info("broadcast accepted through the admin API", { broadcastId: created });
        return json(202, await deps.broadcasts.progress(created));
      },
      "GET /admin/broadcasts/{id}": async (_event, { id }) => {
        const progress = id ? await deps.broadcasts.progress(id) : undefined;
        return progress ? json(200, progress) : notFound(id);
      },
      "POST /admin/broadcasts/{id}/cancel": async (_event, { id }) => {
        const progress = id ? await deps.broadcasts.cancel(id) : undefined;
        if (progress) deps.logger.info("broadcast cancelled through the admin API", { broadcastId: id });
        return progress ? json(200, progress) : notFound(id);
      },
    },
    answerError: (error) => {
      if (error instanceof InvalidBroadcastError) return problem(400, error.message, error.field);
      if (error instanceof BroadcastFinishedError) return problem(409, error.message);
      if (error instanceof IdempotencyKeyReusedError) {
        const key = error.requestId.replace(/^api-/, "");
        return problem(
          422,
          `Idempotency-Key "${key}" was already used for a broadcast with a different body; use a new key ` +
            "for a new broadcast, or resend the same body to get the first one back.",
          "Idempotency-Key",
        );
      }
      if (error instanceof StorageError || error instanceof JobQueueError) {
        deps.logger.error("admin API: backend unavailable", { error: error.message });
        return problem(
          503,
          "The broadcast store or queue is unavailable right now; retry with the same Idempotency-Key.",
        );
      }
      return undefined;
    },
  };
}
