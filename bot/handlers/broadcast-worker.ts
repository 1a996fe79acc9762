/**
 * Lambda entry of the broadcast worker: the SQS event source mapping (with `ReportBatchItemFailures`) hands it
 * jobs (bot/broadcast/jobs.ts); it answers with the records to deliver again. One execution environment is one
 * worker instance with its own limiter at R / C (contracts/broadcast-rates.ts), kept across invocations.
 */
// First: maps stack traces of everything loaded after it.
import "./source-maps";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { Content } from "../../content/schema";
import { env as envNames } from "../../contracts/runtime";
import {
  defaultWorkerSettings,
  type WorkerDeps,
  type WorkerFaults,
  type WorkerSettings,
} from "../broadcast/delivery";
import { broadcastRatesFrom, bulkApiFrom, sqsJobQueueFrom } from "../broadcast/environment";
import { RateLimiter, realTimer, type Timer } from "../broadcast/limiter";
import { defaultRetryPolicy, type RetryPolicy } from "../broadcast/send";
import { DynamoBroadcastStore } from "../broadcast/store/dynamodb";
import type { BroadcastStore } from "../broadcast/store/port";
import { createQueueConsumer } from "../broadcast/worker";
import type { JobQueue, QueueConsumer } from "../jobs/port";
import type { Clock, Logger, UserStore } from "../ports";
import { DynamoTipStore } from "../recommendations/store/dynamodb";
import type { TipStore } from "../recommendations/store/port";
import { DynamoUserStore } from "../storage/dynamodb";
import { type Environment, loadBundledContent, loggerFrom, once, readSecret, tableFrom } from "./runtime";

/** Replacements for what the handler would build (the local stack, tests and the benchmark use them). */
export interface BroadcastWorkerOptions {
  /** Where content.json is bundled (default: next to this file). */
  directory?: string;
  content?: Content;
  jobs?: JobQueue;
  store?: BroadcastStore;
  users?: UserStore;
  tips?: TipStore;
  clock?: Clock;
  timer?: Timer;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  settings?: Partial<WorkerSettings>;
  /** Test hooks that simulate crashes; never in production. */
  faults?: WorkerFaults;
}

/** Builds one worker instance (one "execution environment") from an environment. */
export async function buildBroadcastWorkerHandler(
  environment: Environment,
  options: BroadcastWorkerOptions = {},
): Promise<QueueConsumer> {
  const logger = options.logger ?? loggerFrom(environment, { fn: "broadcastWorker" });
  const token = await readSecret(environment, envNames.botToken, envNames.botTokenParameter);
  const clock = options.clock ?? { now: () => new Date() };
  const timer = options.timer ?? realTimer;
  const rates = broadcastRatesFrom(environment);
  const table = options.store && options.users && options.tips ? undefined : tableFrom(environment);
  const fromTable = <T>(given: T | undefined, build: (t: NonNullable<typeof table>) => T): T => {
    if (given) return given;
    if (!table) throw new Error("unreachable: the table is built whenever a store is missing");
    return build(table);
  };
  const deps: WorkerDeps = {
    store: fromTable(options.store, (t) => new DynamoBroadcastStore({ ...t, clock, queryCounters: true })),
    users: fromTable(options.users, (t) => new DynamoUserStore({ ...t, clock })),
    tips: fromTable(options.tips, (t) => new DynamoTipStore({ ...t, clock })),
    jobs: options.jobs ?? sqsJobQueueFrom(environment),
    api: bulkApiFrom(environment, token),
    content: options.content ?? loadBundledContent(options.directory ?? __dirname),
    rates,
    limiter: new RateLimiter(rates.perWorkerPerSecond, timer, rates.burst),
    timer,
    clock,
    logger,
    retry: { ...defaultRetryPolicy, ...options.retry },
    settings: { ...defaultWorkerSettings, ...options.settings },
    ...(options.faults ? { faults: options.faults } : {}),
  };
  return createQueueConsumer(deps);
}

const worker = once(() => buildBroadcastWorkerHandler(process.env));

/** The Lambda handler. */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return (await worker())(event, context);
}
