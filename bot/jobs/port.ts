/**
 * The job queue port the broadcast and tips code sends jobs through, with two implementations:
 * - `SqsJobQueue` (sqs.ts, beside this file): Amazon SQS (standard queue, at-least-once; the worker subscribes
 *   with an event source mapping and `ReportBatchItemFailures`);
 * - `InProcessJobQueue` (local/in-process-queue.ts): the same contract in one process for `npm start`, tests
 *   and the benchmark, delivering to the very worker handler with SQS semantics.
 */
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { Job } from "../broadcast/jobs";

/** Where broadcast jobs go. Delivery is at least once: every job handler is idempotent. */
export interface JobQueue {
  /** Sends jobs; `delaySeconds` (0-900) hides them for that long first. Resolves once they are stored durably. */
  send(jobs: Job[], options?: { delaySeconds?: number }): Promise<void>;
}

/** What a worker invocation may ask of its runtime: Lambda's `context.getRemainingTimeInMillis`. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/** A queue consumer with the Lambda SQS signature. */
export type QueueConsumer = (event: SQSEvent, context: InvocationContext) => Promise<SQSBatchResponse>;

/** Thrown when SQS refuses jobs even after retries; the caller must retry (nothing was lost silently). */
export class JobQueueError extends Error {
  constructor(failed: number, detail: string, options?: { cause: unknown }) {
    super(
      `SQS did not accept ${failed} broadcast job(s): ${detail}. Check BROADCAST_QUEUE_URL and the function's ` +
        "sqs:SendMessage permission, then retry.",
      options,
    );
    this.name = "JobQueueError";
  }
}

/** SQS's limit on DelaySeconds. */
export const maxDelaySeconds = 900;

/** A delay SQS accepts: whole seconds from 0 to {@link maxDelaySeconds}. */
export function clampDelay(delaySeconds: number | undefined): number {
  if (delaySeconds === undefined || !Number.isFinite(delaySeconds)) return 0;
  return Math.min(maxDelaySeconds, Math.max(0, Math.ceil(delaySeconds)));
}
