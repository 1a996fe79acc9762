/**
 * The admin HTTP API (API Gateway HTTP API, payload 2.0), independent of Lambda so tests drive it directly:
 * - `POST /admin/broadcasts` {text, parseMode?, buttons?, audience?, progressChatId?, requestId?} → 202 progress
 *   (an `Idempotency-Key` header or `requestId` makes a retried POST return the same broadcast);
 * - `GET /admin/broadcasts/{id}` → 200 progress, or 404;
 * - `POST /admin/broadcasts/{id}/cancel` → 200 progress (status cancelled), 404, or 409 when already finished.
 * Every route needs `Authorization: Bearer <ADMIN_API_TOKEN>` (compared in constant time), else 401. Bad input
 * gets 400 with `{ error, field }` (broken HTML or MarkdownV2 named by position) and nothing is recorded or
 * queued; an `Idempotency-Key` reused with a different body gets 422 naming the key.
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { JobQueueError } from "../jobs/port";
import type { BroadcastRequest, Logger } from "../ports";
import { StorageError } from "../storage/port";
import { BroadcastFinishedError, IdempotencyKeyReusedError, type ManagedBroadcastQueue } from "./service";
import { InvalidBroadcastError } from "./validation";

/** An HTTP API handler as Lambda runs it. */
export type AdminHttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
    body: JSON.stringify(body),
  };
}

function problem(statusCode: number, error: string, field?: string): APIGatewayProxyStructuredResultV2 {
  return json(statusCode, { error, ...(field ? { field } : {}) });
}

/** Constant-time comparison of a presented bearer token with the configured one (hashes equalise lengths). */
export function tokenMatches(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return expected.length > 0 && timingSafeEqual(digest(presented), digest(expected));
}

function bearer(event: APIGatewayProxyEventV2): string | undefined {
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  const match = header?.match(/^Bearer\s+(.+)$/i);
  return match?.[1]?.trim();
}

function bodyOf(event: APIGatewayProxyEventV2): unknown {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? "", "base64").toString("utf8")
    : (event.body ?? "");
  if (raw.trim() === "")
    throw new InvalidBroadcastError("body", 'The body is empty; send JSON like {"text": "Hello"}.');
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new InvalidBroadcastError("body", `The body is not JSON (${(error as Error).message}).`);
  }
}

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

/** Builds the admin API over a broadcast service and the configured token. */
export function createAdminApi(deps: {
  broadcasts: ManagedBroadcastQueue;
  adminToken: string;
  logger: Logger;
  newRequestId?: () => string;
}): AdminHttpHandler {
  const newRequestId = deps.newRequestId ?? randomUUID;
  return async (event) => {
    const presented = bearer(event);
    if (!presented || !tokenMatches(presented, deps.adminToken))
      return problem(401, "Missing or wrong admin token; send Authorization: Bearer <ADMIN_API_TOKEN>.");
    const id = event.pathParameters?.id;
    try {
      switch (event.routeKey) {
        case "POST /admin/broadcasts": {
          const request = requestFrom(bodyOf(event), event, newRequestId);
          const { id: created } = await deps.broadcasts.enqueue(request);
          deps.logger.info("broadcast accepted through the admin API", { broadcastId: created });
          return json(202, await deps.broadcasts.progress(created));
        }
        case "GET /admin/broadcasts/{id}": {
          const progress = id ? await deps.broadcasts.progress(id) : undefined;
          return progress ? json(200, progress) : problem(404, `No broadcast has the id "${id ?? ""}".`);
        }
        case "POST /admin/broadcasts/{id}/cancel": {
          const progress = id ? await deps.broadcasts.cancel(id) : undefined;
          if (progress) deps.logger.info("broadcast cancelled through the admin API", { broadcastId: id });
          return progress ? json(200, progress) : problem(404, `No broadcast has the id "${id ?? ""}".`);
        }
        default:
          return problem(404, `No admin route ${event.routeKey}.`);
      }
    } catch (error) {
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
      throw error;
    }
  };
}
