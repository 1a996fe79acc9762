/**
 * The deployed {@link BroadcastQueue}: broadcasts recorded in the table (`BROADCAST#<id>` / `META`, status
 * `queued`, id derived from the request id so a retried update keeps one broadcast), started through the
 * broadcast queue. Pass the {@link JobQueue} as the fourth argument; without it (the webhook handler of today
 * builds it with two), the queue is resolved when the first broadcast is enqueued: the one registered with
 * {@link useDefaultBroadcastJobQueue} (the local stack), else SQS at `BROADCAST_QUEUE_URL` of the process
 * environment (Lambda), else {@link BroadcastQueueNotConfiguredError}.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { env } from "../../contracts/runtime";
import type { Clock } from "../ports";
import { DynamoBroadcastStore } from "./dynamodb-store";
import { type JobQueue, SqsJobQueue } from "./job-queue";
import { BroadcastService } from "./service";

/** Re-exported: the broadcast id of a request id, where the first recorder defined it. */
export { broadcastIdFor } from "./service";

/** Thrown when a broadcast is sent but no queue can start it; says which setting is missing. */
export class BroadcastQueueNotConfiguredError extends Error {
  constructor() {
    super(
      `No broadcast queue is configured: set ${env.broadcastQueueUrl} on this function (with sqs:SendMessage on ` +
        "the queue), or pass a JobQueue to DynamoBroadcastQueue. Nothing was recorded.",
    );
    this.name = "BroadcastQueueNotConfiguredError";
  }
}

let defaultJobQueue: JobQueue | undefined;

/**
 * Registers the queue every {@link DynamoBroadcastQueue} built without one uses (the local stack's in-process
 * queue); `undefined` unregisters it. Deployed functions never call this.
 */
export function useDefaultBroadcastJobQueue(queue: JobQueue | undefined): void {
  defaultJobQueue = queue;
}

let environmentQueue: JobQueue | undefined;

function resolveDefaultJobQueue(): JobQueue {
  if (defaultJobQueue) return defaultJobQueue;
  const url = process.env[env.broadcastQueueUrl];
  if (!url) throw new BroadcastQueueNotConfiguredError();
  environmentQueue ??= new SqsJobQueue(new SQSClient({}), url);
  return environmentQueue;
}

/** {@link BroadcastService} on the DynamoDB job store. */
export class DynamoBroadcastQueue extends BroadcastService {
  constructor(
    client: DynamoDBDocumentClient,
    tableName: string,
    clock: Clock = { now: () => new Date() },
    jobs?: JobQueue,
    rates?: { totalPerSecond: number; allowPaidBroadcast: boolean },
  ) {
    super({
      store: new DynamoBroadcastStore(client, tableName, clock),
      jobs: jobs ?? resolveDefaultJobQueue,
      clock,
      ...(rates ? { rates } : {}),
    });
  }
}
