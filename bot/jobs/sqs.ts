/**
 * {@link JobQueue} on an SQS standard queue (the deployed one, at BROADCAST_QUEUE_URL).
 */
import type { SQSClientConfig } from "@aws-sdk/client-sqs";
import type { Job } from "../broadcast/jobs";
import { clampDelay, type JobQueue, JobQueueError } from "./port";

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
