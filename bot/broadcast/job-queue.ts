/**
 * The queue port the broadcast code sends jobs through, with two implementations:
 * - {@link SqsJobQueue}: Amazon SQS (standard queue, at-least-once; the worker subscribes with an event source
 *   mapping and `ReportBatchItemFailures`);
 * - {@link InProcessJobQueue}: the same contract in one process for `npm start`, tests and the benchmark. It
 *   invokes the very worker handler with SQS-shaped events, one consumer per simulated execution environment,
 *   hides in-flight messages, and re-delivers failed batch items after a visibility timeout, up to a
 *   maximum receive count, then moves them to a dead-letter list, as SQS with a redrive policy does.
 */
import { randomUUID } from "node:crypto";
import type { SQSClientConfig } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { Logger } from "../ports";
import type { Job } from "./jobs";

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

function clampDelay(delaySeconds: number | undefined): number {
  if (delaySeconds === undefined || !Number.isFinite(delaySeconds)) return 0;
  return Math.min(maxDelaySeconds, Math.max(0, Math.ceil(delaySeconds)));
}

/** Options of {@link SqsJobQueue}. */
export interface SqsJobQueueOptions {
  /** The queue's URL (BROADCAST_QUEUE_URL). */
  queueUrl: string;
  /** The SQS client's configuration (bot/runtime/aws.ts `awsClientConfigFrom(environment, "sqs")`). */
  config: SQSClientConfig;
}

/**
 * {@link JobQueue} on an SQS standard queue: SendMessageBatch in chunks of 10, failed entries retried. The SDK's
 * SQS client is loaded and built on the first send, once: the webhook queues a broadcast rarely, and its cold
 * start should not parse a client it may never use.
 */
export class SqsJobQueue implements JobQueue {
  private sender: Promise<ReturnType<typeof import("./sqs-client").createSqsSender>> | undefined;

  constructor(private readonly options: SqsJobQueueOptions) {}

  private connect() {
    this.sender ??= import("./sqs-client").then(({ createSqsSender }) =>
      createSqsSender(this.options.config),
    );
    return this.sender;
  }

  /** Closes idle connections (tests). */
  async destroy(): Promise<void> {
    if (this.sender) (await this.sender).destroy();
  }

  /** @inheritdoc */
  async send(jobs: Job[], options: { delaySeconds?: number } = {}): Promise<void> {
    const delay = clampDelay(options.delaySeconds);
    const chunks: Job[][] = [];
    for (let i = 0; i < jobs.length; i += 10) chunks.push(jobs.slice(i, i + 10));
    await Promise.all(chunks.map((chunk) => this.sendChunk(chunk, delay)));
  }

  private async sendChunk(chunk: Job[], delaySeconds: number): Promise<void> {
    let pending = chunk.map((job, index) => ({ Id: String(index), MessageBody: JSON.stringify(job) }));
    let detail = "";
    for (let attempt = 0; attempt < 3 && pending.length > 0; attempt++) {
      let result: { Failed?: { Id?: string; Message?: string }[] };
      try {
        const sender = await this.connect();
        result = await sender.send({
          QueueUrl: this.options.queueUrl,
          Entries: pending.map((entry) => ({ ...entry, DelaySeconds: delaySeconds })),
        });
      } catch (error) {
        throw new JobQueueError(pending.length, (error as Error).message, { cause: error });
      }
      const failed = new Set((result.Failed ?? []).map((entry) => entry.Id));
      detail = (result.Failed ?? []).map((entry) => entry.Message).join("; ");
      pending = pending.filter((entry) => failed.has(entry.Id));
    }
    if (pending.length > 0) throw new JobQueueError(pending.length, detail);
  }
}

/** Settings of {@link InProcessJobQueue}; the defaults mimic the deployed queue at a laptop's time scale. */
export interface InProcessJobQueueOptions {
  /** How long a received message stays hidden; a failed one reappears when it ends (default 2 s). */
  visibilityTimeoutMs?: number;
  /** Receives before a message moves to {@link InProcessJobQueue.deadLetters} (default 5). */
  maxReceiveCount?: number;
  /** Messages per invocation at most (default 1, the batch size recommended for the deployed event source). */
  batchSize?: number;
  /** What `getRemainingTimeInMillis` counts down from (default 120 s, the worker's timeout). */
  invocationTimeoutMs?: number;
  /** Multiplies `delaySeconds` (tests pass a small factor so deferred jobs come back quickly). */
  delayScale?: number;
  logger?: Logger;
}

interface StoredMessage {
  messageId: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  visibleAt: number;
  firstReceivedAt?: number;
}

/** Counters of an {@link InProcessJobQueue}, for tests and the benchmark. */
export interface InProcessQueueStats {
  sent: number;
  received: number;
  deleted: number;
  redelivered: number;
  deadLettered: number;
  invocations: number;
}

/** Thrown by {@link InProcessJobQueue.idle} when the queue does not drain in time; says what is left. */
export class QueueNotIdleError extends Error {
  constructor(waitedMs: number, queued: number, inFlight: number) {
    super(
      `The in-process broadcast queue still holds ${queued} message(s) (${inFlight} in flight) after ${waitedMs} ms; ` +
        "a consumer may be failing every time (see deadLetters and the logs) or the wait is too short.",
    );
    this.name = "QueueNotIdleError";
  }
}

/** {@link JobQueue} in process, delivering to consumers with SQS semantics (see the module comment). */
export class InProcessJobQueue implements JobQueue {
  /** Messages that exceeded `maxReceiveCount`, as a DLQ would keep them. */
  readonly deadLetters: { body: string; receiveCount: number }[] = [];
  private readonly messages: StoredMessage[] = [];
  private consumers: QueueConsumer[] = [];
  private busy: boolean[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly idleWaiters = new Set<() => void>();
  private readonly counters: InProcessQueueStats = {
    sent: 0,
    received: 0,
    deleted: 0,
    redelivered: 0,
    deadLettered: 0,
    invocations: 0,
  };
  private readonly visibilityTimeoutMs: number;
  private readonly maxReceiveCount: number;
  private readonly batchSize: number;
  private readonly invocationTimeoutMs: number;
  private readonly delayScale: number;

  constructor(private readonly options: InProcessJobQueueOptions = {}) {
    this.visibilityTimeoutMs = options.visibilityTimeoutMs ?? 2000;
    this.maxReceiveCount = options.maxReceiveCount ?? 5;
    this.batchSize = options.batchSize ?? 1;
    this.invocationTimeoutMs = options.invocationTimeoutMs ?? 120_000;
    this.delayScale = options.delayScale ?? 1;
  }

  /** Connects the consumers, one per simulated execution environment (the worker's concurrency). */
  attach(consumers: QueueConsumer[]): void {
    this.consumers = [...consumers];
    this.busy = consumers.map(() => false);
    this.pump();
  }

  /** @inheritdoc */
  async send(jobs: Job[], options: { delaySeconds?: number } = {}): Promise<void> {
    if (this.stopped) return;
    const now = Date.now();
    const delayMs = clampDelay(options.delaySeconds) * 1000 * this.delayScale;
    for (const job of jobs) {
      this.messages.push({
        messageId: randomUUID(),
        body: JSON.stringify(job),
        sentAt: now,
        receiveCount: 0,
        visibleAt: now + delayMs,
      });
      this.counters.sent += 1;
    }
    this.pump();
  }

  /** Counters since creation. */
  stats(): InProcessQueueStats {
    return { ...this.counters };
  }

  /** Messages stored (visible, delayed or in flight). */
  get size(): number {
    return this.messages.length;
  }

  /** Resolves when no message is stored and no invocation runs. */
  async idle(timeoutMs = 30_000): Promise<void> {
    if (this.isIdle()) return;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timeout);
        this.idleWaiters.delete(done);
        resolve();
      };
      const timeout = setTimeout(() => {
        this.idleWaiters.delete(done);
        reject(new QueueNotIdleError(timeoutMs, this.messages.length, this.inFlight));
      }, timeoutMs);
      this.idleWaiters.add(done);
    });
  }

  /** Stops delivering; stored messages are dropped (the local stack is shutting down). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.messages.length = 0;
  }

  private isIdle(): boolean {
    return this.messages.length === 0 && this.inFlight === 0;
  }

  private pump(): void {
    if (this.stopped) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const now = Date.now();
    for (let slot = 0; slot < this.consumers.length; slot++) {
      if (this.busy[slot]) continue;
      const batch = this.messages.filter((message) => message.visibleAt <= now).slice(0, this.batchSize);
      if (batch.length === 0) break;
      for (const message of batch) {
        message.visibleAt = Number.POSITIVE_INFINITY; // in flight
        message.receiveCount += 1;
        message.firstReceivedAt ??= now;
        this.counters.received += 1;
        if (message.receiveCount > 1) this.counters.redelivered += 1;
      }
      this.invoke(slot, batch);
    }
    if (this.isIdle()) {
      for (const wake of [...this.idleWaiters]) wake();
      return;
    }
    const next = Math.min(...this.messages.map((message) => message.visibleAt));
    if (Number.isFinite(next) && this.busy.some((busy) => !busy)) {
      this.timer = setTimeout(() => this.pump(), Math.max(1, next - now));
      this.timer.unref();
    }
  }

  private invoke(slot: number, batch: StoredMessage[]): void {
    const consumer = this.consumers[slot];
    if (!consumer) return;
    this.busy[slot] = true;
    this.inFlight += 1;
    this.counters.invocations += 1;
    const receivedAt = Date.now();
    const event: SQSEvent = { Records: batch.map((message) => sqsRecord(message)) };
    const context: InvocationContext = {
      getRemainingTimeInMillis: () => Math.max(0, this.invocationTimeoutMs - (Date.now() - receivedAt)),
    };
    consumer(event, context)
      .then(
        (response) => new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier)),
        (error: unknown) => {
          this.options.logger?.error("in-process queue consumer threw; the whole batch is re-delivered", {
            error: (error as Error)?.message,
          });
          return new Set(batch.map((message) => message.messageId));
        },
      )
      .then((failed) => {
        const now = Date.now();
        for (const message of batch) {
          if (!failed.has(message.messageId)) {
            this.remove(message);
            this.counters.deleted += 1;
          } else if (message.receiveCount >= this.maxReceiveCount) {
            this.remove(message);
            this.deadLetters.push({ body: message.body, receiveCount: message.receiveCount });
            this.counters.deadLettered += 1;
            this.options.logger?.error("job moved to the dead-letter list", {
              receiveCount: message.receiveCount,
            });
          } else {
            message.visibleAt = Math.max(now, receivedAt + this.visibilityTimeoutMs);
          }
        }
        this.busy[slot] = false;
        this.inFlight -= 1;
        this.pump();
      });
  }

  private remove(message: StoredMessage): void {
    const index = this.messages.indexOf(message);
    if (index >= 0) this.messages.splice(index, 1);
  }
}

function sqsRecord(message: StoredMessage): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: `${message.messageId}#${message.receiveCount}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: "local",
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? Date.now()),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:local:000000000000:lambdagram-broadcasts",
    awsRegion: "local",
  };
}
