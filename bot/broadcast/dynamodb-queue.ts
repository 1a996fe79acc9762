/**
 * The deployed {@link BroadcastQueue}: broadcasts recorded in the table (`BROADCAST#<id>` / `META`, status
 * `queued`, id derived from the request id so a retried update keeps one broadcast), started through the
 * job queue given as `jobs` (the handlers pass SQS at `BROADCAST_QUEUE_URL`, the local
 * stack its in-process queue). Without one, enqueueing fails with {@link BroadcastQueueNotConfiguredError}.
 */

import { env } from "../../contracts/runtime";
import type { JobQueue } from "../jobs/port";
import type { Metrics } from "../observability/metrics";
import type { Clock } from "../ports";
import { BroadcastService } from "./service";
import type { BroadcastStore } from "./store/port";

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

/**
 * The webhook's {@link BroadcastService}: broadcasts recorded in the job store, started through `jobs` when a
 * queue is configured, else refused with {@link BroadcastQueueNotConfiguredError} before anything is recorded.
 */
export class DynamoBroadcastQueue extends BroadcastService {
  constructor(options: {
    store: BroadcastStore;
    jobs?: JobQueue | undefined;
    clock: Clock;
    rates?: { totalPerSecond: number; allowPaidBroadcast: boolean };
    metrics?: Metrics | undefined;
  }) {
    super({
      store: options.store,
      jobs: options.jobs ?? missingJobQueue,
      clock: options.clock,
      ...(options.rates ? { rates: options.rates } : {}),
      metrics: options.metrics,
    });
  }
}
