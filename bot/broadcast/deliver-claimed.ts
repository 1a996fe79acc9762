/**
 * The claim -> send -> record loop, once for every kind of delivery (broadcast batches in worker.ts, daily
 * tips in bot/recommendations/daily.ts). Each item is claimed (bot/leases/), sent through the worker's
 * limiter with Telegram's retries, and its outcome recorded while the claim is still held; a send that could
 * not be tried in time gives the claim back. A user Telegram reports unreachable is unsubscribed. What
 * differs between kinds (what to check first, what to send, what a refused claim means) comes in a
 * {@link ClaimedDelivery}.
 */
import { randomUUID } from "node:crypto";
import type { LeasedClaims } from "../leases/port";
import {
  forEachConcurrent,
  type Invocation,
  markUnreachable,
  type WorkerDeps,
  withRetries,
} from "./delivery";
import type { Job } from "./jobs";
import { type SendOutcome, sendWithRetries } from "./send";

/** The statuses a send can end in; every kind of claimed item has them among its final statuses. */
export type SentStatus = "delivered" | "blocked" | "failed";

/** What to do with an item once claimed: send a message, or record `status` without sending. */
export type Prepared<Status extends string> =
  | {
      /** Sends the message (one Bot API call; retried by the loop). */
      send(): Promise<{ message_id: number }>;
      /** Fields recorded with the outcome (the tip sent, Telegram's error). */
      fields(outcome: Exclude<SendOutcome, { kind: "unfinished" }>): Record<string, string | undefined>;
    }
  | { status: Status };

/** One kind of claimed delivery: the items' claims and the decisions the loop leaves to the kind. */
export interface ClaimedDelivery<Item, Key, Status extends string> {
  /** The job the items came from (fault hooks and logs). */
  job: Job;
  claims: LeasedClaims<Key, Status | SentStatus>;
  key(item: Item): Key;
  /** The Telegram user the item is sent to (unsubscribed when unreachable). */
  userId(item: Item): number;
  /** Before claiming: `claim`, `skip` the item (nothing to do), or `stop` the loop (time is up...). */
  before(item: Item, nowMs: number): Promise<"claim" | "skip" | "stop">;
  /** The claim was refused: someone else holds it, or it is final. */
  refused(item: Item, nowMs: number): Promise<void>;
  /** What to do with a claimed item. */
  prepare(item: Item): Promise<Prepared<Status>>;
  /** The outcome was written (`recorded`), or refused because the claim was taken over. */
  recorded(item: Item, status: Status | SentStatus, recorded: boolean): Promise<void>;
  /** The send could not be tried in time; the claim was given back. */
  postponed(item: Item, detail: string): void;
  /** After a send: whether the loop must stop (Telegram rejects the message itself). */
  stopsAfter?(outcome: SendOutcome): boolean;
}

/** How the loop ended. */
export interface DeliveryRun {
  /** The loop stopped before every item was tried (time, status, a postponed send, a rejected text). */
  halted: boolean;
}

/**
 * Runs the claim -> send -> record loop over `items`, `deps.rates.inFlightPerWorker` at a time, until done or
 * halted. The claims are owned by this invocation plus a random suffix, leased until the invocation surely ended.
 */
export async function deliverClaimed<Item, Key, Status extends string>(
  deps: WorkerDeps,
  invocation: Invocation,
  items: readonly Item[],
  delivery: ClaimedDelivery<Item, Key, Status>,
): Promise<DeliveryRun> {
  const owner = `${invocation.id}/${randomUUID().slice(0, 8)}`;
  const run: DeliveryRun = { halted: false };
  await forEachConcurrent(
    items,
    deps.rates.inFlightPerWorker,
    async (item) => {
      if (!run.halted) await deliverOne(deps, invocation, owner, item, delivery, run);
    },
    () => run.halted,
  );
  return run;
}

async function deliverOne<Item, Key, Status extends string>(
  deps: WorkerDeps,
  invocation: Invocation,
  owner: string,
  item: Item,
  delivery: ClaimedDelivery<Item, Key, Status>,
  run: DeliveryRun,
): Promise<void> {
  const nowMs = deps.clock.now().getTime();
  const next = await delivery.before(item, nowMs);
  if (next === "stop") {
    run.halted = true;
    return;
  }
  if (next === "skip") return;
  const key = delivery.key(item);
  if (!(await delivery.claims.claim(key, { owner, leaseUntil: invocation.leaseUntil(), nowMs }))) {
    await delivery.refused(item, nowMs);
    return;
  }
  const userId = delivery.userId(item);
  await deps.faults?.afterClaim?.(delivery.job, userId);
  const prepared = await delivery.prepare(item);
  if ("status" in prepared) {
    await record(deps, delivery, item, owner, prepared.status, {});
    return;
  }
  const outcome = await sendWithRetries(prepared.send, {
    limiter: deps.limiter,
    timer: deps.timer,
    retry: deps.retry,
    deadline: invocation.deadline,
    ...(deps.random ? { random: deps.random } : {}),
  });
  if (outcome.kind === "unfinished") {
    await delivery.claims.release(key, owner);
    delivery.postponed(item, outcome.detail);
    run.halted = true;
    return;
  }
  if (outcome.kind === "blocked") await markUnreachable(deps, userId);
  await record(deps, delivery, item, owner, outcome.kind, prepared.fields(outcome));
  if (delivery.stopsAfter?.(outcome)) run.halted = true;
  await deps.faults?.afterRecord?.(delivery.job, userId);
}

/** Records the outcome, retried a few times: a lost outcome would mean a second send after the lease. */
async function record<Item, Key, Status extends string>(
  deps: WorkerDeps,
  delivery: ClaimedDelivery<Item, Key, Status>,
  item: Item,
  owner: string,
  status: Status | SentStatus,
  fields: Record<string, string | undefined>,
): Promise<void> {
  const key = delivery.key(item);
  const recorded = await withRetries(() => delivery.claims.finish(key, owner, { status, fields }));
  if (!recorded)
    deps.logger.error("a claim was taken over while its holder was sending; raise the lease", {
      job: delivery.job.type,
      userId: delivery.userId(item),
    });
  await delivery.recorded(item, status, recorded);
}
