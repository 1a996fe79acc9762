/**
 * Broadcast settings read from an environment record (the handlers pass `process.env` on Lambda, the local
 * stack its own record): the derived rates, the SQS queue, and a Bot API client tuned for bulk sending.
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { Api } from "grammy";
import { type BroadcastRates, broadcastRatesFromSettings } from "../../contracts/broadcast-rates";
import { env } from "../../contracts/runtime";
import type { JobQueue } from "../jobs/port";
import { SqsJobQueue } from "../jobs/sqs";
import { awsClientConfigFrom, MissingConfigurationError } from "../runtime/aws";

type Environment = Record<string, string | undefined>;

/** R, C, R / C and the batch size from BROADCAST_RATE_PER_SECOND (total) and ALLOW_PAID_BROADCAST. */
export function broadcastRatesFrom(environment: Environment): BroadcastRates {
  return broadcastRatesFromSettings({
    ratePerSecond: environment[env.broadcastRatePerSecond],
    allowPaidBroadcast: environment[env.allowPaidBroadcast],
  });
}

/** The SQS queue at BROADCAST_QUEUE_URL. */
export function sqsJobQueueFrom(environment: Environment): JobQueue {
  const url = environment[env.broadcastQueueUrl];
  if (!url) throw new MissingConfigurationError([env.broadcastQueueUrl]);
  return new SqsJobQueue({ queueUrl: url, config: awsClientConfigFrom(environment, "sqs") });
}

/**
 * A Bot API client for bulk sends: TELEGRAM_API_ROOT when set (the emulator), keep-alive connections (a new
 * TLS handshake per message would cap the rate), and a 10 s request timeout instead of grammY's 500 s, so a
 * hung request cannot eat a batch's time.
 */
export function bulkApiFrom(environment: Environment, token: string): Api {
  const apiRoot = environment[env.telegramApiRoot];
  const agent = apiRoot?.startsWith("http:")
    ? new HttpAgent({ keepAlive: true, maxSockets: 64 })
    : new HttpsAgent({ keepAlive: true, maxSockets: 64 });
  return new Api(token, {
    ...(apiRoot ? { apiRoot } : {}),
    timeoutSeconds: 10,
    // node-fetch (grammY's fetch on Node) takes an `agent`; the option type is the browser fetch's.
    baseFetchConfig: { compress: true, agent } as Record<string, unknown>,
  });
}
