/**
 * The broadcast job store port: the durable state of every broadcast, written only with single-item
 * conditional writes (no transactions, so dynalite runs it too). Item design (docs/scale.md, "Data"):
 * - `BROADCAST#<id>` / `META`: request, status (queued → running → done | cancelled | failed), progress message;
 * - `BROADCAST#<id>` / `COUNT#<shard>`: per audience shard, the recipients planned (`total`), the outcomes
 *   counted (`sent`, `blocked`, `failed`), the last planned part and the set of batches already counted;
 * - `BROADCAST#<id>#<shard>` / `PLAN#<part>`: the canonical recipients of one planned page (first writer wins);
 * - `BROADCAST#<id>#<shard>` / `R#<userId>`: one recipient's claim and outcome.
 * Recipient items live under 16 partition keys per broadcast, so 1000 sends/s never make one key hot.
 */
import type { BroadcastRequest } from "../ports";
import type { Recipient } from "./jobs";

/** Life cycle of a broadcast. `failed` means Telegram rejected the text itself (e.g. bad HTML). */
export type BroadcastStatus = "queued" | "running" | "cancelled" | "done" | "failed";

/** Statuses after which nothing is sent any more. */
export const finishedStatuses: readonly BroadcastStatus[] = ["cancelled", "done", "failed"];

/** The `META` item of a broadcast. */
export interface BroadcastRecord {
  id: string;
  status: BroadcastStatus;
  request: BroadcastRequest;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** R, messages per second across all workers when it started (for the ETA). */
  ratePerSecond: number;
  allowPaidBroadcast: boolean;
  /** The admin's progress message, once posted. */
  progressMessageId?: number;
  progressLanguage?: string;
  /** Epoch ms of the last progress edit (edits are spaced out across workers with a conditional write). */
  progressEditedAt?: number;
  /** A final progress edit was made: no running-progress edit may follow it (final ones may, fresher). */
  progressFinal?: boolean;
  /** The per-shard planning jobs were sent (a re-delivered start job then does nothing). */
  plansEnqueued?: boolean;
  /** Why a `failed` broadcast stopped. */
  error?: string;
}

/** Fields a status transition may set along with the status. */
export type StatusChanges = Partial<
  Pick<BroadcastRecord, "startedAt" | "finishedAt" | "error" | "ratePerSecond" | "allowPaidBroadcast">
>;

/** Counters and planning state of one audience shard. */
export interface ShardCounters {
  shard: number;
  total: number;
  sent: number;
  blocked: number;
  failed: number;
  /** Highest part whose recipients were added to `total` (undefined: none yet). */
  plannedPart?: number;
  /** The shard's last page was planned. */
  planComplete: boolean;
  /** Batches whose outcomes were added to the counters. */
  countedBatches: number;
}

/** The recipients of one planned page of a shard, and where the next page starts. */
export interface PlanPart {
  shard: number;
  part: number;
  recipients: Recipient[];
  /** Recipients per batch, fixed with the plan so every re-run cuts the same batches (batch keys stay stable). */
  batchSize: number;
  nextCursor?: string;
}

/** Where one recipient stands. `sending` is a leased claim; `released` may be claimed again. */
export type RecipientStatus = "sending" | "released" | "delivered" | "blocked" | "failed" | "cancelled";

/** Outcomes after which a recipient is never sent to again. */
export const finalRecipientStatuses: readonly RecipientStatus[] = [
  "delivered",
  "blocked",
  "failed",
  "cancelled",
];

/** True for a final outcome. */
export function isFinalStatus(status: RecipientStatus): boolean {
  return finalRecipientStatuses.includes(status);
}

/** The `R#<userId>` item. */
export interface RecipientState {
  userId: number;
  status: RecipientStatus;
  /** Who holds a `sending` claim (worker invocation id). */
  owner?: string;
  /** Epoch ms after which a `sending` claim may be taken over (its holder is surely gone). */
  leaseUntil?: number;
  /** Why it failed or was blocked (Telegram's description), for audits. */
  detail?: string;
}

/** Outcome counts of one batch. */
export interface BatchCounts {
  sent: number;
  blocked: number;
  failed: number;
}

/** Durable state of broadcasts; see the module comment for the items. Every write is idempotent or conditional. */
export interface BroadcastStore {
  /** Writes the META item unless it exists; returns the stored one either way. */
  create(record: BroadcastRecord): Promise<{ record: BroadcastRecord; created: boolean }>;
  /** The META item, read consistently. */
  get(id: string): Promise<BroadcastRecord | undefined>;
  /**
   * Changes the status only if it is one of `from`, with the given fields; returns the new record, or undefined
   * when the broadcast does not exist or its status was not one of `from`.
   */
  transition(
    id: string,
    from: readonly BroadcastStatus[],
    to: BroadcastStatus,
    changes?: StatusChanges,
  ): Promise<BroadcastRecord | undefined>;
  /** Marks the planning jobs as sent. */
  markPlansEnqueued(id: string): Promise<void>;
  /** Stores the progress message once; false if one was stored already. */
  setProgressMessage(id: string, messageId: number, language: string): Promise<boolean>;
  /**
   * Claims the right to edit the progress message now: true when the last edit is at least `minIntervalMs`
   * old and no final edit was made, so workers together edit at a bounded rate. A `final` edit (the broadcast
   * ended) is always granted and marks the message final; a later final edit only shows fresher numbers.
   */
  claimProgressEdit(id: string, nowMs: number, minIntervalMs: number, final: boolean): Promise<boolean>;
  /** Counters of every shard (zeros for a shard not touched yet), read consistently. */
  counters(id: string): Promise<ShardCounters[]>;
  /** Counters of one shard, read consistently. */
  shardCounters(id: string, shard: number): Promise<ShardCounters>;
  /** The canonical plan of a part, if written. */
  getPlan(id: string, shard: number, part: number): Promise<PlanPart | undefined>;
  /** Writes the plan of a part unless one exists; returns the canonical one (the first writer's). */
  putPlan(id: string, plan: PlanPart): Promise<PlanPart>;
  /**
   * Adds a planned part's recipients to its shard's `total`, in part order and once: only if `part - 1` was
   * the last planned part (or `part` is 0 and none was). Returns the new counters, or undefined if refused.
   */
  recordPlanned(
    id: string,
    shard: number,
    part: number,
    recipients: number,
    complete: boolean,
  ): Promise<ShardCounters | undefined>;
  /** Adds a batch's outcomes once per batch key; returns the new counters, or undefined if already counted. */
  countBatch(
    id: string,
    shard: number,
    batchKey: string,
    counts: BatchCounts,
  ): Promise<ShardCounters | undefined>;
  /** The recipient items of these users (one consistent range query for a batch), by user id. */
  recipients(id: string, shard: number, userIds: readonly number[]): Promise<Map<number, RecipientState>>;
  /** One recipient item, read consistently. */
  recipient(id: string, shard: number, userId: number): Promise<RecipientState | undefined>;
  /**
   * Claims a recipient for sending: succeeds if no item exists, it was released, or a `sending` claim's lease
   * ended before `nowMs`. False means someone else holds it or it is final.
   */
  claim(
    id: string,
    shard: number,
    userId: number,
    owner: string,
    leaseUntil: number,
    nowMs: number,
  ): Promise<boolean>;
  /** Records a final outcome if `owner` still holds the claim; false otherwise. */
  finish(
    id: string,
    shard: number,
    userId: number,
    owner: string,
    status: Exclude<RecipientStatus, "sending" | "released">,
    detail?: string,
  ): Promise<boolean>;
  /** Gives a claim back (the send could not be tried in time); another delivery of the batch will take it. */
  release(id: string, shard: number, userId: number, owner: string): Promise<void>;
  /**
   * Marks an unclaimed (or released, or lease-expired) recipient `cancelled` so nobody sends to them; false if
   * the recipient is held or final.
   */
  cancelRecipient(id: string, shard: number, userId: number, nowMs: number): Promise<boolean>;
}

/** Key of a batch in the counted-batches set. */
export function batchKey(part: number, batch: number): string {
  return `${part}.${batch}`;
}

/** How long recipient and plan items are kept (DynamoDB TTL): 30 days, for audits and late re-deliveries. */
export const recipientItemTtlSeconds = 30 * 24 * 3600;
