/**
 * The broadcast queue and its dead-letter queue, and the arithmetic that turns Telegram's rate limit into
 * the worker's concurrency. The worker subscribes through an event source mapping (see functions.ts).
 */
import * as lambda from "@pulumi/aws/lambda";
import * as sqs from "@pulumi/aws/sqs";
import * as pulumi from "@pulumi/pulumi";

/** Telegram's documented limits for bulk messages, and the share of them a broadcast may use. */
export const telegramBroadcastLimits = {
  /** Free bulk sending is ~30 messages/s per bot; 25 leaves room for the replies the webhook sends meanwhile. */
  freeMessagesPerSecond: 25,
  /** With allow_paid_broadcast Telegram accepts up to 1000 messages/s (0.1 Star per message above 30/s). */
  paidMessagesPerSecond: 1000,
  /** What one worker instance sends per second (its sends overlap; ~40 ms per Bot API call). */
  perWorkerMessagesPerSecond: 50,
} as const;

/** How fast broadcasts go and how many workers deliver them. */
export interface BroadcastThroughput {
  /** Messages per second across all workers. */
  totalPerSecond: number;
  /** Worker instances: the function's reserved concurrency and the event source's maximum concurrency. */
  concurrency: number;
  /** Messages per second each worker may send (`BROADCAST_RATE_PER_SECOND`): total / concurrency. */
  perWorkerPerSecond: number;
}

/**
 * Derives the worker concurrency from the configured rate. At least 2 (the SQS event source's minimum
 * `maximumConcurrency`); reserved concurrency equals it so the poller is never throttled into the DLQ.
 */
export function broadcastThroughput(allowPaidBroadcast: boolean): BroadcastThroughput {
  const totalPerSecond = allowPaidBroadcast
    ? telegramBroadcastLimits.paidMessagesPerSecond
    : telegramBroadcastLimits.freeMessagesPerSecond;
  const concurrency = Math.max(
    2,
    Math.ceil(totalPerSecond / telegramBroadcastLimits.perWorkerMessagesPerSecond),
  );
  return { totalPerSecond, concurrency, perWorkerPerSecond: totalPerSecond / concurrency };
}

/** Arguments of {@link BroadcastQueue}. */
export interface BroadcastQueueArgs {
  /** The worker's timeout; the visibility timeout is six times it, as AWS recommends for Lambda consumers. */
  workerTimeoutSeconds: number;
  /** Receives before a message goes to the DLQ. */
  maxReceiveCount?: number;
}

/** SQS queue of broadcast pages plus a DLQ that keeps poison messages for 14 days. */
export class BroadcastQueue extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  readonly deadLetterQueueArn: pulumi.Output<string>;
  readonly deadLetterQueueName: pulumi.Output<string>;
  private readonly resourceName: string;

  constructor(name: string, args: BroadcastQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lambdagram:index:BroadcastQueue", name, {}, opts);
    this.resourceName = name;
    const dlq = new sqs.Queue(
      `${name}-dlq`,
      { messageRetentionSeconds: 14 * 24 * 3600, sqsManagedSseEnabled: true },
      { parent: this },
    );
    const queue = new sqs.Queue(
      name,
      {
        visibilityTimeoutSeconds: 6 * args.workerTimeoutSeconds,
        messageRetentionSeconds: 4 * 24 * 3600,
        receiveWaitTimeSeconds: 20,
        sqsManagedSseEnabled: true,
        redrivePolicy: dlq.arn.apply((deadLetterTargetArn) =>
          JSON.stringify({ deadLetterTargetArn, maxReceiveCount: args.maxReceiveCount ?? 5 }),
        ),
      },
      { parent: this },
    );
    this.url = queue.url;
    this.arn = queue.arn;
    this.name = queue.name;
    this.deadLetterQueueArn = dlq.arn;
    this.deadLetterQueueName = dlq.name;
    this.registerOutputs({ url: this.url, deadLetterQueueArn: this.deadLetterQueueArn });
  }

  /**
   * Lets `worker` consume the queue: batches of 10, partial batch failures reported by the handler
   * (`ReportBatchItemFailures`), at most `concurrency` workers (match the function's reserved concurrency).
   */
  subscribe(worker: { arn: pulumi.Input<string> }, concurrency: number, opts?: pulumi.CustomResourceOptions) {
    return new lambda.EventSourceMapping(
      `${this.resourceName}-worker`,
      {
        eventSourceArn: this.arn,
        functionName: worker.arn,
        batchSize: 10,
        maximumBatchingWindowInSeconds: 0,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: { maximumConcurrency: concurrency },
      },
      { ...opts, parent: this },
    );
  }
}
