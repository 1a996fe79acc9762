/**
 * The webhook as a function of an API Gateway HTTP API event (payload format 2.0): grammY's
 * `aws-lambda-async` adapter plus the answers Telegram and operators need:
 * 401 for a wrong secret, 400 for a body that is not a Telegram update, 503 when storage fails
 * (Telegram re-sends, nothing is lost), and 200 for an update the bot fails on or that fails the update
 * schema (bot/update-schema.ts; logged, nothing written, no crash loop).
 */
import { timingSafeEqual } from "node:crypto";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { type Bot, BotError, webhookCallback } from "grammy";
import { metricNames } from "../contracts/metrics";
import type { BotContext } from "./context";
import type { Metrics } from "./observability/metrics";
import type { Logger } from "./ports";
import { ErasureFailedError } from "./privacy/eraser";
import { RepliesInFlightError, RepliesPendingError } from "./replies";
import { ChatStateConflictError, StorageError } from "./storage/port";
import { updateProblem } from "./update-schema";

/** Options of {@link createWebhookHandler}. */
export interface WebhookOptions {
  bot: Bot<BotContext>;
  /** The `secret_token` given to setWebhook; requests without it are refused with 401. */
  secretToken: string;
  logger: Logger;
  /** Counts accepted updates (EMF); optional. */
  metrics?: Metrics;
  /** grammY's own time limit; keep it below the Lambda timeout (see contracts/runtime.ts `timeouts`). */
  timeoutMilliseconds: number;
}

/** An API Gateway v2 handler for the Telegram webhook route. */
export type WebhookHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

const secretHeader = "x-telegram-bot-api-secret-token";

function headerValue(event: APIGatewayProxyEventV2, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {}))
    if (key.toLowerCase() === name) return value;
  return undefined;
}

/** Compares a given secret with the expected one in constant time (also used by the local stack). */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True for failures that a retry can fix: Telegram should re-send the update. */
function isRetryable(error: unknown): boolean {
  return (
    error instanceof StorageError ||
    error instanceof ChatStateConflictError ||
    error instanceof RepliesPendingError ||
    error instanceof RepliesInFlightError ||
    error instanceof ErasureFailedError
  );
}

/** Builds the webhook handler around a bot. */
export function createWebhookHandler(options: WebhookOptions): WebhookHandler {
  const { bot, secretToken, logger } = options;
  const callback = webhookCallback(bot, "aws-lambda-async", {
    secretToken,
    timeoutMilliseconds: options.timeoutMilliseconds,
    onTimeout: "throw",
  });

  return async (event) => {
    if (!sameSecret(headerValue(event, secretHeader), secretToken)) {
      logger.warn("webhook refused: wrong or missing secret token", {
        sourceIp: event.requestContext?.http?.sourceIp,
      });
      return { statusCode: 401 };
    }
    const body =
      event.isBase64Encoded && event.body ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
    let update: unknown;
    try {
      update = JSON.parse(body ?? "");
    } catch {
      logger.warn("webhook refused: body is not JSON", { bytes: body?.length ?? 0 });
      return { statusCode: 400, body: "Body is not JSON: Telegram sends one Update object as JSON." };
    }
    if (
      typeof update !== "object" ||
      update === null ||
      typeof (update as { update_id?: unknown }).update_id !== "number"
    ) {
      logger.warn("webhook refused: JSON is not a Telegram update (no numeric update_id)");
      return { statusCode: 400, body: "Not a Telegram Update: the JSON object needs a numeric update_id." };
    }
    const updateId = (update as { update_id: number }).update_id;
    const problem = updateProblem(update as Record<string, unknown>);
    if (problem) {
      // Only a forged or broken sender makes one; a re-send would not fix it, so it is acknowledged.
      logger.warn("update ignored: it fails the update schema", { updateId, problem });
      return { statusCode: 200 };
    }
    options.metrics?.count(metricNames.updatesReceived);
    const started = performance.now();
    try {
      const result: unknown = await callback(
        // The decoded body as it came: grammY parses it itself, so it is not serialised again here.
        { headers: event.headers ?? {}, body },
        {},
      );
      logger.info("update handled", { updateId, ms: Math.round((performance.now() - started) * 10) / 10 });
      return (result as APIGatewayProxyStructuredResultV2 | undefined) ?? { statusCode: 200 };
    } catch (thrown) {
      const error = thrown instanceof BotError ? thrown.error : thrown;
      const message = (error as Error)?.message ?? String(error);
      if (isRetryable(error) || /timed out/i.test(message)) {
        logger.error("update failed; Telegram will re-send it", {
          updateId,
          error: message,
          kind: (error as Error)?.name,
        });
        return { statusCode: 503 };
      }
      logger.error("update could not be handled; acknowledged so Telegram does not re-send it", {
        updateId,
        error: message,
        kind: (error as Error)?.name,
        stack: (error as Error)?.stack?.split("\n").slice(0, 4).join(" | "),
      });
      return { statusCode: 200 };
    }
  };
}
