/**
 * The deployed {@link BroadcastQueue}: broadcasts recorded in the table (`BROADCAST#<id>` / `META`, status
 * `queued`, id derived from the request id so a retried update keeps one broadcast), started through the
 * broadcast queue given as the fourth argument (the handlers pass SQS at `BROADCAST_QUEUE_URL`, the local
 * stack its in-process queue). Without one, enqueueing fails with {@link BroadcastQueueNotConfiguredError}.
 */

import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { env } from "../../contracts/runtime";
import type { JobQueue } from "../jobs/port";
import type { Clock } from "../ports";
import { BroadcastService } from "./service";
import { DynamoBroadcastStore } from "./store/dynamodb";

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

function missingJobQueue(): JobQueue {
  throw new BroadcastQueueNotConfiguredError();
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
      store: new DynamoBroadcastStore({ client, tableName, clock }),
      jobs: jobs ?? missingJobQueue,
      clock,
      ...(rates ? { rates } : {}),
    });
  }
}
