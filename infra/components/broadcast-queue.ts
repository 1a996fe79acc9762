/**
 * The broadcast queue and its dead-letter queue, and the arithmetic that turns Telegram's rate limit into
 * the worker's concurrency. The worker subscribes through an event source mapping (see functions.ts).
 */
import * as lambda from "@pulumi/aws/lambda";
import * as sqs from "@pulumi/aws/sqs";
import * as pulumi from "@pulumi/pulumi";
import { deriveBroadcastRates } from "../../contracts/broadcast-rates";

/** How fast broadcasts go and how many workers deliver them. */
export interface BroadcastThroughput {
  /** Messages per second across all workers (`BROADCAST_RATE_PER_SECOND`, which the workers divide by C). */
  totalPerSecond: number;
  /** Worker instances: the function's reserved concurrency and the event source's maximum concurrency. */
  concurrency: number;
  /** Messages per second each worker sends: total / concurrency. */
  perWorkerPerSecond: number;
}

/**
 * The worker concurrency and rates for the configured mode, from the same derivation the workers use
 * (contracts/broadcast-rates.ts), so the reserved concurrency and each worker's share always agree.
 */
export function broadcastThroughput(allowPaidBroadcast: boolean): BroadcastThroughput {
  const { totalPerSecond, concurrency, perWorkerPerSecond } = deriveBroadcastRates({ allowPaidBroadcast });
  return { totalPerSecond, concurrency, perWorkerPerSecond };
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
        // One batch per invocation: a batch is sized to finish well inside the worker's timeout.
        batchSize: 1,
        maximumBatchingWindowInSeconds: 0,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: { maximumConcurrency: concurrency },
      },
      { ...opts, parent: this },
    );
  }
}
