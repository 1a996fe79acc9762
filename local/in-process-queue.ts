/**
 * The in-process stand-in for the SQS job queue ({@link JobQueue}, bot/jobs/port.ts), for `npm start`, tests
 * and the benchmark. It invokes the very worker handler with SQS-shaped events, one consumer per simulated
 * execution environment, hides in-flight messages, and re-delivers failed batch items after a visibility
 * timeout, up to a maximum receive count, then moves them to a dead-letter list, as SQS with a redrive
 * policy does.
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import type { Job } from "../bot/broadcast/jobs";
import { clampDelay, type InvocationContext, type JobQueue, type QueueConsumer } from "../bot/jobs/port";
import type { Logger } from "../bot/ports";

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
