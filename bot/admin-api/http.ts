/**
 * What every admin API route shares (API Gateway HTTP API, payload 2.0): the handler type, JSON and problem
 * answers, the bearer token check and the JSON body reader. Routes live beside their feature (e.g.
 * bot/broadcast/admin-routes.ts) and are put together by bot/admin-api/router.ts.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** An HTTP API handler as Lambda runs it. */
export type AdminHttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** An admin API answer (status, headers, body). */
export type AdminHttpResult = APIGatewayProxyStructuredResultV2;

/** A JSON answer that is never cached (admin data changes between calls). */
export function json(statusCode: number, body: unknown): AdminHttpResult {
  return {
    statusCode,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
    body: JSON.stringify(body),
  };
}

/** An error answer `{ error, field? }`: `error` says what to do, `field` names the input at fault. */
export function problem(statusCode: number, error: string, field?: string): AdminHttpResult {
  return json(statusCode, { error, ...(field ? { field } : {}) });
}

/** Constant-time comparison of a presented bearer token with the configured one (hashes equalise lengths). */
export function tokenMatches(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return expected.length > 0 && timingSafeEqual(digest(presented), digest(expected));
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearer(event: APIGatewayProxyEventV2): string | undefined {
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  const match = header?.match(/^Bearer\s+(.+)$/i);
  return match?.[1]?.trim();
}

/** Thrown by a route for input it cannot use; answered 400 with the field and the message. */
export class InvalidAdminRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "InvalidAdminRequestError";
  }
}

/** The raw body text (API Gateway may hand it over base64-encoded). */
export function rawBody(event: APIGatewayProxyEventV2): string {
  return event.isBase64Encoded
    ? Buffer.from(event.body ?? "", "base64").toString("utf8")
    : (event.body ?? "");
}

/**
 * The JSON body, or an {@link InvalidAdminRequestError} naming `body` (empty, or not JSON). `makeError` lets a
 * route throw its own named error class instead.
 */
export function jsonBody(
  event: APIGatewayProxyEventV2,
  example: string,
  makeError: (field: string, message: string) => Error = (field, message) =>
    new InvalidAdminRequestError(field, message),
): unknown {
  const raw = rawBody(event);
  if (raw.trim() === "") throw makeError("body", `The body is empty; send JSON like ${example}.`);
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw makeError("body", `The body is not JSON (${(error as Error).message}).`);
  }
}

/** A query string parameter (`?limit=20`), if given. */
export function queryParameter(event: APIGatewayProxyEventV2, name: string): string | undefined {
  return event.queryStringParameters?.[name] ?? undefined;
}
