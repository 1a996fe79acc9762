/**
 * How fast broadcasts and daily tips go. One configured rate R (messages per second across ALL workers) is
 * split into a worker concurrency C (the SQS event source's maximum concurrency, and the worker function's
 * reserved concurrency when the stack opts in with `reserveBroadcastConcurrency`) and a per-worker rate R / C that each worker enforces on its own. No coordination
 * between workers is needed: C workers at R / C each can never exceed R together.
 */
import { timeouts } from "./runtime";

/** Telegram's documented bulk limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this). */
export const telegramBulkLimits = {
  /** Free: about 30 messages per second to different chats, per bot. */
  freePerSecond: 30,
  /** With `allow_paid_broadcast`: up to 1000 messages per second (paid in Stars above the free amount). */
  paidPerSecond: 1000,
} as const;

/** Defaults of {@link deriveBroadcastRates}; every one has a reason in its comment. */
export const broadcastRateDefaults = {
  /** Free default: 25 leaves 5 messages/s of the bot's 30 for the webhook's replies sent meanwhile. */
  freePerSecond: 25,
  /** Paid default: 90% of the paid limit, the same kind of headroom. */
  paidPerSecond: 900,
  /** What one worker can sustain: its sends overlap (~40 ms per Bot API call plus 2 DynamoDB writes). */
  perWorkerMaxPerSecond: 50,
  /** The SQS event source's `maximumConcurrency` cannot be below 2. */
  minConcurrency: 2,
  /** Recipients per queue message at most. */
  maxBatchSize: 100,
  /**
   * Seconds of sending per batch: short batches spread evenly over the workers, so the last ones do not leave
   * most workers idle at the end (a 2 s tail instead of an 8 s one at the free rate), for a few more queue
   * messages (one per 2 s of sending: ~40,000 for a million recipients at 25/s, $0.02 of SQS).
   */
  targetBatchSeconds: 2,
  /** A batch must take at most this share of the worker's timeout at its rate, so it finishes well inside it. */
  maxBatchShareOfTimeout: 0.25,
  /** Largest limiter burst considered (in sends): how late a timer may fire before a slot is lost. */
  maxBurst: 2,
  /** Arrival jitter budget: sends may reach Telegram up to 20 ms closer together than they were sent. */
  jitterSeconds: 0.02,
} as const;

/** Thrown for a configured rate that cannot work; says which values are accepted. */
export class InvalidBroadcastRateError extends Error {
  constructor(value: unknown, max: number) {
    super(
      `BROADCAST_RATE_PER_SECOND "${String(value)}" is not usable; set a number above 0 and at most ${max} ` +
        `(${max === telegramBulkLimits.paidPerSecond ? "paid broadcasts" : "free limit; set ALLOW_PAID_BROADCAST=true to go up to 1000"}), or leave it unset for the default.`,
    );
    this.name = "InvalidBroadcastRateError";
  }
}

/** The derived rates: what the infrastructure provisions and what each worker enforces. */
export interface BroadcastRates {
  /** R: messages per second across all workers together. */
  totalPerSecond: number;
  /** C: worker instances (reserved concurrency = SQS event source maximum concurrency). */
  concurrency: number;
  /** R / C: the rate each worker instance enforces with its own limiter. */
  perWorkerPerSecond: number;
  /** Recipients per queue message: about 2 s of one worker's sending, at most 100 (and a quarter of the timeout). */
  batchSize: number;
  /** Sends one worker keeps in flight at once, so network latency does not cap its rate below R / C. */
  inFlightPerWorker: number;
  /** Whether sends carry `allow_paid_broadcast` (the limit is then 1000/s instead of 30/s). */
  allowPaidBroadcast: boolean;
  /**
   * The per-worker limiter's burst: the largest (up to 2, in tenths) for which C workers' worst one-second
   * window, with sends arriving up to 20 ms early, still stays within Telegram's limit. A larger burst lets a
   * late timer catch up instead of losing its slot; 1 (no slack) when R is too close to the limit for any.
   */
  burst: number;
}

/**
 * Worst case sends of one worker in a one-second window with limiter rate `r` and burst `b`, when arrival
 * times may shift by `jitter` seconds: floor((1 + jitter) * r + b - 1) + 1 (GCRA bound).
 */
export function worstSendsPerSecond(r: number, burst: number, jitter: number): number {
  return Math.floor((1 + jitter) * r + burst - 1 + 1e-9) + 1;
}

/**
 * Derives C, R / C, the batch size and the in-flight sends from one configured rate. Pure: the Pulumi program
 * calls it for the worker's reserved concurrency, the worker for its limiter, the admin API for its ETA.
 * @param input.ratePerSecond R, or undefined for 25 (free) / 900 (paid)
 * @param input.allowPaidBroadcast raises the ceiling from 30 to 1000 messages/s
 * @param input.workerTimeoutSeconds the worker's Lambda timeout (default contracts/runtime.ts)
 * @throws InvalidBroadcastRateError when R is not a positive number within the ceiling
 */
export function deriveBroadcastRates(input: {
  ratePerSecond?: number;
  allowPaidBroadcast?: boolean;
  workerTimeoutSeconds?: number;
}): BroadcastRates {
  const allowPaidBroadcast = input.allowPaidBroadcast ?? false;
  const ceiling = allowPaidBroadcast ? telegramBulkLimits.paidPerSecond : telegramBulkLimits.freePerSecond;
  const total =
    input.ratePerSecond ??
    (allowPaidBroadcast ? broadcastRateDefaults.paidPerSecond : broadcastRateDefaults.freePerSecond);
  if (!Number.isFinite(total) || total <= 0 || total > ceiling)
    throw new InvalidBroadcastRateError(input.ratePerSecond, ceiling);
  const concurrency = Math.max(
    broadcastRateDefaults.minConcurrency,
    Math.ceil(total / broadcastRateDefaults.perWorkerMaxPerSecond),
  );
  const perWorkerPerSecond = total / concurrency;
  const timeoutSeconds = input.workerTimeoutSeconds ?? timeouts.broadcastWorkerLambdaSeconds;
  const batchSize = Math.max(
    1,
    Math.min(
      broadcastRateDefaults.maxBatchSize,
      Math.round(perWorkerPerSecond * broadcastRateDefaults.targetBatchSeconds),
      Math.floor(perWorkerPerSecond * timeoutSeconds * broadcastRateDefaults.maxBatchShareOfTimeout),
    ),
  );
  // ~40 ms per call on AWS: rate × 0.04 sends are in flight on average; keep room for slow answers.
  const inFlightPerWorker = Math.min(16, Math.max(2, Math.ceil(perWorkerPerSecond * 0.04 * 3)));
  let burst = 1;
  for (let tenths = broadcastRateDefaults.maxBurst * 10; tenths >= 10; tenths--) {
    const candidate = tenths / 10;
    const worst = worstSendsPerSecond(perWorkerPerSecond, candidate, broadcastRateDefaults.jitterSeconds);
    if (concurrency * worst <= ceiling) {
      burst = candidate;
      break;
    }
  }
  return {
    totalPerSecond: total,
    concurrency,
    perWorkerPerSecond,
    batchSize,
    inFlightPerWorker,
    allowPaidBroadcast,
    burst,
  };
}

/** Reads R and the paid switch as the handlers receive them (strings from the environment). */
export function broadcastRatesFromSettings(settings: {
  ratePerSecond?: string;
  allowPaidBroadcast?: string;
}): BroadcastRates {
  const raw = settings.ratePerSecond?.trim();
  const allowPaidBroadcast = /^(true|1|yes)$/i.test(settings.allowPaidBroadcast?.trim() ?? "");
  const ratePerSecond = raw ? Number(raw) : undefined;
  if (ratePerSecond !== undefined && Number.isNaN(ratePerSecond))
    throw new InvalidBroadcastRateError(
      raw,
      allowPaidBroadcast ? telegramBulkLimits.paidPerSecond : telegramBulkLimits.freePerSecond,
    );
  return deriveBroadcastRates({ ratePerSecond, allowPaidBroadcast });
}
