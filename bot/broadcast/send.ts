/**
 * One Bot API send with Telegram's error semantics, shared by broadcasts and daily tips:
 * - 429: every call of this worker waits `retry_after` (the limiter pauses), then the same send is retried;
 * - 5xx and network errors: retried with exponential backoff and jitter, a few times;
 * - 403 (blocked, deactivated) and 400 "chat not found": final, the user is unreachable;
 * - any other 400: final failure for this recipient (a formatting error is flagged, it fails for everyone);
 * - a wait that would run past the invocation's deadline: the send is left unfinished, to be retried later.
 */
import { GrammyError, HttpError } from "grammy";
import type { RateLimiter, Timer } from "./limiter";

/** The answer for one recipient. `unfinished` means "not sent, try again later" (deadline reached). */
export type SendOutcome =
  | { kind: "delivered"; messageId: number }
  | { kind: "blocked"; detail: string }
  | { kind: "failed"; detail: string; formatting: boolean }
  | { kind: "unfinished"; detail: string };

/** Retry settings; tests shrink the delays. */
export interface RetryPolicy {
  /** Attempts for 5xx and network errors before the recipient is marked failed. */
  maxAttempts: number;
  /** First backoff delay; doubled per attempt, with ±25% jitter, capped at `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** 429 answers tolerated for one recipient before giving up until the next delivery of the batch. */
  maxRateLimited: number;
}

/** Defaults: 5 attempts over about 7.5 s of backoff. */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxRateLimited: 10,
};

/** How a Bot API failure is handled. */
export type ErrorClass =
  | { kind: "rateLimited"; retryAfterMs: number }
  | { kind: "transient" }
  | { kind: "unreachable" }
  | { kind: "rejected"; formatting: boolean };

/** Short text of a failure for logs and outcome records (never the message text or the token). */
export function describeError(error: unknown): string {
  if (error instanceof GrammyError) return `${error.error_code} ${error.description}`.slice(0, 200);
  if (error instanceof HttpError)
    return `network: ${String((error.error as Error)?.message ?? error.message)}`.slice(0, 200);
  return String((error as Error)?.message ?? error).slice(0, 200);
}

/** Classifies a grammY error by Telegram's documented semantics. */
export function classifyError(error: unknown): ErrorClass {
  if (error instanceof GrammyError) {
    const code = error.error_code;
    if (code === 429)
      return { kind: "rateLimited", retryAfterMs: (error.parameters.retry_after ?? 1) * 1000 };
    if (code >= 500) return { kind: "transient" };
    if (code === 403) return { kind: "unreachable" };
    const description = error.description.toLowerCase();
    if (code === 400 && (description.includes("chat not found") || description.includes("user not found")))
      return { kind: "unreachable" };
    return { kind: "rejected", formatting: description.includes("can't parse entities") };
  }
  // HttpError: the request never got an answer (connection reset, DNS, timeout).
  return { kind: "transient" };
}

/** What {@link sendWithRetries} needs besides the call itself. */
export interface SendContext {
  limiter: RateLimiter;
  timer: Timer;
  retry: RetryPolicy;
  /** Timer time (ms) after which no wait may end; the caller keeps a margin for its own bookkeeping. */
  deadline: number;
  /** Random source for jitter. */
  random?: () => number;
}

/**
 * Performs `call` (one Bot API request) under the limiter until it succeeds, fails for good, or would have
 * to wait past the deadline. Returns the message id on success.
 */
export async function sendWithRetries(
  call: () => Promise<{ message_id: number }>,
  context: SendContext,
): Promise<SendOutcome> {
  const { limiter, timer, retry, deadline } = context;
  const random = context.random ?? Math.random;
  let transientFailures = 0;
  let rateLimited = 0;
  for (;;) {
    await limiter.acquire();
    if (timer.now() > deadline) return { kind: "unfinished", detail: "deadline reached before sending" };
    try {
      const message = await call();
      return { kind: "delivered", messageId: message.message_id };
    } catch (error) {
      const detail = describeError(error);
      const errorClass = classifyError(error);
      let waitMs: number;
      switch (errorClass.kind) {
        case "unreachable":
          return { kind: "blocked", detail };
        case "rejected":
          return { kind: "failed", detail, formatting: errorClass.formatting };
        case "rateLimited":
          rateLimited += 1;
          if (rateLimited > retry.maxRateLimited) return { kind: "unfinished", detail };
          limiter.pauseFor(errorClass.retryAfterMs);
          waitMs = errorClass.retryAfterMs;
          break;
        case "transient": {
          transientFailures += 1;
          if (transientFailures >= retry.maxAttempts) return { kind: "failed", detail, formatting: false };
          const backoff = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (transientFailures - 1));
          waitMs = backoff * (0.75 + random() * 0.5);
          break;
        }
      }
      if (timer.now() + waitMs > deadline) return { kind: "unfinished", detail };
      // A 429 pause is applied by the limiter on the next acquire; a backoff is this send's own wait.
      if (errorClass.kind === "transient") await timer.sleep(waitMs);
    }
  }
}
