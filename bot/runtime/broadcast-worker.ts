/**
 * Builds one broadcast worker from the composition root: the SQS event source mapping (with
 * `ReportBatchItemFailures`) hands it jobs (bot/broadcast/jobs.ts); it answers with the records to deliver
 * again. One execution environment is one worker instance with its own limiter at R / C
 * (contracts/broadcast-rates.ts), kept across invocations; the local stack builds C of them over one
 * composition root, as C execution environments.
 */
import { env as envNames } from "../../contracts/runtime";
import {
  defaultWorkerSettings,
  type WorkerDeps,
  type WorkerFaults,
  type WorkerSettings,
} from "../broadcast/delivery";
import { RateLimiter, realTimer, type Timer } from "../broadcast/limiter";
import { defaultRetryPolicy, type RetryPolicy } from "../broadcast/send";
import { createQueueConsumer } from "../broadcast/worker";
import type { QueueConsumer } from "../jobs/port";
import type { Logger } from "../ports";
import { bulkApiFrom } from "./broadcast";
import type { Services } from "./services";

/** Worker knobs the tests and the benchmark turn (the defaults are production's). */
export interface BroadcastWorkerOptions {
  timer?: Timer;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  settings?: Partial<WorkerSettings>;
  /** Test hooks that simulate crashes; never in production. */
  faults?: WorkerFaults;
}

/** Builds one worker instance (one "execution environment"). */
export async function buildBroadcastWorkerHandler(
  services: Services,
  options: BroadcastWorkerOptions = {},
): Promise<QueueConsumer> {
  const [token] = (await services.secrets([
    { plain: envNames.botToken, parameter: envNames.botTokenParameter },
  ])) as [string];
  const timer = options.timer ?? realTimer;
  const rates = services.rates;
  const deps: WorkerDeps = {
    // The worker's role may Query the table: the 16 shard counters in one request.
    store: services.broadcasts({ queryCounters: true }),
    users: services.users,
    tips: services.tips,
    jobs: services.jobs,
    api: bulkApiFrom(services.environment, token),
    content: services.content,
    rates,
    limiter: new RateLimiter(rates.perWorkerPerSecond, timer, rates.burst),
    timer,
    clock: services.clock,
    logger: options.logger ?? services.logger("broadcastWorker"),
    retry: { ...defaultRetryPolicy, ...options.retry },
    settings: { ...defaultWorkerSettings, ...options.settings },
    ...(options.faults ? { faults: options.faults } : {}),
  };
  return createQueueConsumer(deps);
}
