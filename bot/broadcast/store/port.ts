/**
 * The broadcast job store port (adapters beside it: dynamodb.ts, memory.ts): the durable state of every broadcast, written only with single-item
 * conditional writes (no transactions, so dynalite runs it too). Item design (docs/scale.md, "Data"):
 * - `BROADCAST#<id>` / `META`: request, status (queued → running → done | cancelled | failed), progress message;
 * - `BROADCAST#<id>` / `COUNT#<shard>`: per audience shard, the recipients planned (`total`), the outcomes
 *   counted (`sent`, `blocked`, `failed`), the last planned part and the set of batches already counted;
 * - `BROADCAST#<id>#<shard>` / `PLAN#<part>`: the canonical recipients of one planned page (first writer wins);
 * - `BROADCAST#<id>#<shard>` / `R#<userId>`: one recipient's leased claim and outcome (bot/leases/);
 * - `BROADCASTS#<YYYY-MM>` / `<createdAt>#<id>`: the broadcasts created that month, so /forget finds the
 *   recent broadcasts (and through the user's shard, their items) without scanning the table.
 * Recipient items live under 16 partition keys per broadcast, so 1000 sends/s never make one key hot.
 */
import type { ClaimState, LeasedClaims } from "../../leases/port";
import type { BroadcastRequest } from "../../ports";
import type { Recipient } from "../jobs";

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

/** One recipient of a broadcast: the key of its `R#<userId>` item. */
export interface RecipientKey {
  broadcastId: string;
  shard: number;
  userId: number;
}

/** A recipient's final status. */
export type RecipientOutcomeStatus = Exclude<RecipientStatus, "sending" | "released">;

/** Where a planned part is: its broadcast, shard and part number. */
export interface PlanKey {
  broadcastId: string;
  shard: number;
  part: number;
}

/** A planned part's recipients, to add to its shard's total once and in part order. */
export interface PlannedPart extends PlanKey {
  /** How many recipients the part has. */
  recipients: number;
  /** It was the shard's last part. */
  complete: boolean;
}

/** A batch's outcomes, to add to its shard's counters once. */
export interface CountedBatch {
  broadcastId: string;
  shard: number;
  /** {@link batchKey} of the batch. */
  batchKey: string;
  counts: BatchCounts;
}

/** The admin's progress message of a broadcast, once posted. */
export interface ProgressMessage {
  broadcastId: string;
  messageId: number;
  /** The language it is written in (later edits keep it). */
  language: string;
}

/** A request to edit the progress message now (see {@link BroadcastStore.claimProgressEdit}). */
export interface ProgressEdit {
  broadcastId: string;
  nowMs: number;
  minIntervalMs: number;
  final: boolean;
}

/** Outcome counts of one batch. */
export interface BatchCounts {
  sent: number;
  blocked: number;
  failed: number;
}

/**
 * Durable state of broadcasts; see the module comment for the items. Every write is idempotent or conditional.
 * Recipients are leased claims ({@link LeasedClaims}: claim, finish, release, settle, state).
 */
export interface BroadcastStore extends LeasedClaims<RecipientKey, RecipientOutcomeStatus> {
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
  setProgressMessage(message: ProgressMessage): Promise<boolean>;
  /**
   * Claims the right to edit the progress message now: true when the last edit is at least `minIntervalMs`
   * old and no final edit was made, so workers together edit at a bounded rate. A `final` edit (the broadcast
   * ended) is always granted and marks the message final; a later final edit only shows fresher numbers.
   */
  claimProgressEdit(edit: ProgressEdit): Promise<boolean>;
  /** Counters of every shard (zeros for a shard not touched yet), read consistently. */
  counters(id: string): Promise<ShardCounters[]>;
  /** Counters of one shard, read consistently. */
  shardCounters(id: string, shard: number): Promise<ShardCounters>;
  /** The canonical plan of a part, if written. */
  getPlan(key: PlanKey): Promise<PlanPart | undefined>;
  /** Writes the plan of a part unless one exists; returns the canonical one (the first writer's). */
  putPlan(id: string, plan: PlanPart): Promise<PlanPart>;
  /**
   * Adds a planned part's recipients to its shard's `total`, in part order and once: only if `part - 1` was
   * the last planned part (or `part` is 0 and none was). Returns the new counters, or undefined if refused.
   */
  recordPlanned(planned: PlannedPart): Promise<ShardCounters | undefined>;
  /** Adds a batch's outcomes once per batch key; returns the new counters, or undefined if already counted. */
  countBatch(batch: CountedBatch): Promise<ShardCounters | undefined>;
  /** The recipient items of these users (one consistent range query for a batch), by user id. */
  recipients(id: string, shard: number, userIds: readonly number[]): Promise<Map<number, RecipientState>>;
  /**
   * Deletes what broadcasts keep about the user (/forget): the `R#<userId>` item of every broadcast created in
   * the last {@link forgetLookbackDays} days (recipient items live 30), and the user's entry in the plan parts
   * of their shard. Idempotent. A broadcast still sending when it runs may deliver to the user and record it
   * again (its queued batches carry the recipients); that record expires with the broadcast's.
   */
  forgetUser(userId: number): Promise<void>;
}

/** How far back /forget looks for broadcasts: recipient items' 30 days plus 30 for DynamoDB TTL's lag. */
export const forgetLookbackDays = 60;

/** How long the month listing of a broadcast is kept: past {@link forgetLookbackDays}. */
export const listingItemTtlSeconds = 90 * 24 * 3600;

/** Key of a batch in the counted-batches set. */
export function batchKey(part: number, batch: number): string {
  return `${part}.${batch}`;
}

/** How long recipient and plan items are kept (DynamoDB TTL): 30 days, for audits and late re-deliveries. */
export const recipientItemTtlSeconds = 30 * 24 * 3600;

/** A recipient's item as {@link BroadcastStore.recipients} reports it. */
export function toRecipientState(userId: number, state: ClaimState<RecipientOutcomeStatus>): RecipientState {
  return {
    userId,
    status: state.status,
    ...(state.owner === undefined ? {} : { owner: state.owner }),
    ...(state.leaseUntil === undefined ? {} : { leaseUntil: state.leaseUntil }),
    ...(state.fields.detail === undefined ? {} : { detail: state.fields.detail }),
  };
}
