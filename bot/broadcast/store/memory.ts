/**
 * In-memory twin of {@link DynamoBroadcastStore}, with the same conditions on every write. Used by fast tests
 * and by the paid-mode benchmark, where a local DynamoDB (dynalite: ~200 conditional write pairs/s on a laptop)
 * and not our code would be the bottleneck. Values are deep-copied in and out, as a database would.
 */
import { audienceShards } from "../../../contracts/table";
import { MemoryLeasedClaims } from "../../leases/memory";
import type { Clock } from "../../ports";
import {
  type BroadcastRecord,
  type BroadcastStatus,
  type BroadcastStore,
  type CountedBatch,
  type PlanKey,
  type PlannedPart,
  type PlanPart,
  type ProgressEdit,
  type ProgressMessage,
  type RecipientKey,
  type RecipientOutcomeStatus,
  type RecipientState,
  type ShardCounters,
  type StatusChanges,
  toRecipientState,
} from "./port";

/** A shard's counter item: the counters, with the set of counted batches itself. */
type CounterItem = Omit<ShardCounters, "shard" | "countedBatches"> & { countedBatches: Set<string> };

function copy<T>(value: T): T {
  return structuredClone(value);
}

/** The broadcast job store in memory; recipients are leased claims (bot/leases/). */
export class MemoryBroadcastStore
  extends MemoryLeasedClaims<RecipientKey, RecipientOutcomeStatus>
  implements BroadcastStore
{
  private readonly metas = new Map<string, BroadcastRecord>();
  private readonly counterItems = new Map<string, CounterItem>();
  private readonly plans = new Map<string, PlanPart>();

  constructor(options: { clock?: Clock } = {}) {
    super({
      id: (recipient) => recipientId(recipient.broadcastId, recipient.shard, recipient.userId),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  /** @inheritdoc */
  async create(record: BroadcastRecord): Promise<{ record: BroadcastRecord; created: boolean }> {
    const stored = this.metas.get(record.id);
    if (stored) return { record: copy(stored), created: false };
    this.metas.set(record.id, copy(record));
    return { record: copy(record), created: true };
  }

  /** @inheritdoc */
  async get(id: string): Promise<BroadcastRecord | undefined> {
    const stored = this.metas.get(id);
    return stored && copy(stored);
  }

  /** @inheritdoc */
  async transition(
    id: string,
    from: readonly BroadcastStatus[],
    to: BroadcastStatus,
    changes: StatusChanges = {},
  ): Promise<BroadcastRecord | undefined> {
    const stored = this.metas.get(id);
    if (!stored || !from.includes(stored.status)) return undefined;
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    const updated = { ...stored, ...defined, status: to };
    this.metas.set(id, updated);
    return copy(updated);
  }

  /** @inheritdoc */
  async markPlansEnqueued(id: string): Promise<void> {
    const stored = this.metas.get(id);
    if (stored) stored.plansEnqueued = true;
  }

  /** @inheritdoc */
  async setProgressMessage({ broadcastId: id, messageId, language }: ProgressMessage): Promise<boolean> {
    const stored = this.metas.get(id);
    if (!stored || stored.progressMessageId !== undefined) return false;
    stored.progressMessageId = messageId;
    stored.progressLanguage = language;
    return true;
  }

  /** @inheritdoc */
  async claimProgressEdit({ broadcastId: id, nowMs, minIntervalMs, final }: ProgressEdit): Promise<boolean> {
    const stored = this.metas.get(id);
    if (!stored) return false;
    if (!final && stored.progressFinal) return false;
    if (!final && stored.progressEditedAt !== undefined && stored.progressEditedAt > nowMs - minIntervalMs)
      return false;
    stored.progressEditedAt = nowMs;
    if (final) stored.progressFinal = true;
    return true;
  }

  private counterItem(id: string, shard: number): CounterItem {
    const key = `${id}#${shard}`;
    let item = this.counterItems.get(key);
    if (!item) {
      item = { total: 0, sent: 0, blocked: 0, failed: 0, planComplete: false, countedBatches: new Set() };
      this.counterItems.set(key, item);
    }
    return item;
  }

  private view(shard: number, item: CounterItem): ShardCounters {
    return {
      shard,
      total: item.total,
      sent: item.sent,
      blocked: item.blocked,
      failed: item.failed,
      ...(item.plannedPart === undefined ? {} : { plannedPart: item.plannedPart }),
      planComplete: item.planComplete,
      countedBatches: item.countedBatches.size,
    };
  }

  /** @inheritdoc */
  async counters(id: string): Promise<ShardCounters[]> {
    return Array.from({ length: audienceShards }, (_, shard) =>
      this.view(shard, this.counterItem(id, shard)),
    );
  }

  /** @inheritdoc */
  async shardCounters(id: string, shard: number): Promise<ShardCounters> {
    return this.view(shard, this.counterItem(id, shard));
  }

  /** @inheritdoc */
  async getPlan({ broadcastId: id, shard, part }: PlanKey): Promise<PlanPart | undefined> {
    const stored = this.plans.get(`${id}#${shard}#${part}`);
    return stored && copy(stored);
  }

  /** @inheritdoc */
  async putPlan(id: string, plan: PlanPart): Promise<PlanPart> {
    const key = `${id}#${plan.shard}#${plan.part}`;
    const stored = this.plans.get(key);
    if (stored) return copy(stored);
    this.plans.set(key, copy(plan));
    return copy(plan);
  }

  /** @inheritdoc */
  async recordPlanned({
    broadcastId: id,
    shard,
    part,
    recipients,
    complete,
  }: PlannedPart): Promise<ShardCounters | undefined> {
    const item = this.counterItem(id, shard);
    const allowed = part === 0 ? item.plannedPart === undefined : item.plannedPart === part - 1;
    if (!allowed) return undefined;
    item.plannedPart = part;
    item.total += recipients;
    if (complete) item.planComplete = true;
    return this.view(shard, item);
  }

  /** @inheritdoc */
  async countBatch({
    broadcastId: id,
    shard,
    batchKey: key,
    counts,
  }: CountedBatch): Promise<ShardCounters | undefined> {
    const item = this.counterItem(id, shard);
    if (item.countedBatches.has(key)) return undefined;
    item.countedBatches.add(key);
    item.sent += counts.sent;
    item.blocked += counts.blocked;
    item.failed += counts.failed;
    return this.view(shard, item);
  }

  /** @inheritdoc */
  async recipients(
    id: string,
    shard: number,
    userIds: readonly number[],
  ): Promise<Map<number, RecipientState>> {
    const states = new Map<number, RecipientState>();
    for (const userId of userIds) {
      const state = await this.state({ broadcastId: id, shard, userId });
      if (state) states.set(userId, toRecipientState(userId, state));
    }
    return states;
  }

  /** @inheritdoc */
  async forgetUser(userId: number): Promise<void> {
    this.deleteClaims((id) => id.split("#").at(-1) === String(userId));
    for (const plan of this.plans.values())
      plan.recipients = plan.recipients.filter((recipient) => recipient.userId !== userId);
  }
}

function recipientId(id: string, shard: number, userId: number): string {
  return `${id}#${shard}#${userId}`;
}
