/**
 * {@link BroadcastStore} on the single table (items in port.ts and docs/scale.md). Every write is one
 * conditional single-item request; `ConditionalCheckFailedException` becomes the port's "refused" answer
 * and every other failure a {@link StorageError}. Attribute names always go through placeholders (several,
 * like `total` and `status`, are DynamoDB reserved words).
 */

import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { audienceShards, tableDefinition } from "../../../contracts/table";
import { DynamoLeasedClaims, toClaimState } from "../../leases/dynamodb";
import type { Clock } from "../../ports";
import { queryAll } from "../../storage/dynamodb-client";
import { conditional, guarded, updatedItem } from "../../storage/dynamodb-errors";
import { forgetRecipient } from "./dynamodb-forget";
import { broadcastKeys } from "./dynamodb-keys";
import {
  type BroadcastRecord,
  type BroadcastStatus,
  type BroadcastStore,
  type CountedBatch,
  listingItemTtlSeconds,
  type PlanKey,
  type PlannedPart,
  type PlanPart,
  type ProgressEdit,
  type ProgressMessage,
  type RecipientKey,
  type RecipientOutcomeStatus,
  type RecipientState,
  recipientItemTtlSeconds,
  type ShardCounters,
  type StatusChanges,
  toRecipientState,
} from "./port";

export { broadcastKeys } from "./dynamodb-keys";

const pk = tableDefinition.partitionKey;
const sk = tableDefinition.sortKey;
const ttl = tableDefinition.ttlAttribute;

const metaFields = [
  "id",
  "status",
  "request",
  "createdAt",
  "startedAt",
  "finishedAt",
  "ratePerSecond",
  "allowPaidBroadcast",
  "progressMessageId",
  "progressLanguage",
  "progressEditedAt",
  "progressFinal",
  "plansEnqueued",
  "error",
] as const;

function toRecord(item: Record<string, unknown>): BroadcastRecord {
  const record: Record<string, unknown> = {};
  for (const field of metaFields) if (item[field] !== undefined) record[field] = item[field];
  return record as unknown as BroadcastRecord;
}

function toCounters(shard: number, item: Record<string, unknown> | undefined): ShardCounters {
  const counted = item?.countedBatches;
  return {
    shard,
    total: Number(item?.total ?? 0),
    sent: Number(item?.sent ?? 0),
    blocked: Number(item?.blocked ?? 0),
    failed: Number(item?.failed ?? 0),
    ...(typeof item?.plannedPart === "number" ? { plannedPart: item.plannedPart } : {}),
    planComplete: item?.planComplete === true,
    countedBatches: counted instanceof Set ? counted.size : 0,
  };
}

/** Options of {@link DynamoBroadcastStore}. */
export interface DynamoBroadcastStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Time stamps and item expiry (default: the system clock). */
  clock?: Clock;
  /**
   * Read all 16 shard counters with one Query instead of 16 GetItems. The worker's role may Query the table;
   * the admin API's (Get, Put, Update only) may not, so it keeps the default.
   */
  queryCounters?: boolean;
}

/** The broadcast job store on DynamoDB; recipients are leased claims (bot/leases/). */
export class DynamoBroadcastStore
  extends DynamoLeasedClaims<RecipientKey, RecipientOutcomeStatus>
  implements BroadcastStore
{
  constructor(private readonly options: DynamoBroadcastStoreOptions) {
    super({
      client: options.client,
      tableName: options.tableName,
      ...(options.clock ? { clock: options.clock } : {}),
      name: "broadcasts",
      key: (recipient) => broadcastKeys.recipient(recipient.broadcastId, recipient.shard, recipient.userId),
      attributes: (recipient) => ({ userId: recipient.userId }),
      finishedAtAttribute: "finishedAt",
      ttlSeconds: recipientItemTtlSeconds,
      outcomeFields: ["detail"],
    });
  }

  /** @inheritdoc */
  create(record: BroadcastRecord): Promise<{ record: BroadcastRecord; created: boolean }> {
    return guarded("broadcasts.create", async () => {
      const created = await conditional(() =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...record, ...broadcastKeys.meta(record.id) },
            ConditionExpression: "attribute_not_exists(#pk)",
            ExpressionAttributeNames: { "#pk": pk },
          }),
        ),
      );
      const stored = created ? record : await this.get(record.id);
      if (!stored) throw new Error(`broadcast ${record.id} exists and does not: the table changed under us`);
      // Listed (idempotently, also by a retry whose first attempt stopped after the META) for forgetUser.
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...broadcastKeys.listing(stored.createdAt, stored.id),
            id: stored.id,
            [ttl]: Math.floor(this.clock.now().getTime() / 1000) + listingItemTtlSeconds,
          },
        }),
      );
      return { record: stored, created };
    });
  }

  /** @inheritdoc */
  get(id: string): Promise<BroadcastRecord | undefined> {
    return guarded("broadcasts.get", async () => {
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: broadcastKeys.meta(id),
          ConsistentRead: true,
        }),
      );
      return Item ? toRecord(Item) : undefined;
    });
  }

  /** @inheritdoc */
  transition(
    id: string,
    from: readonly BroadcastStatus[],
    to: BroadcastStatus,
    changes: StatusChanges = {},
  ): Promise<BroadcastRecord | undefined> {
    return guarded("broadcasts.transition", async () => {
      const names: Record<string, string> = { "#pk": pk, "#status": "status" };
      const values: Record<string, unknown> = { ":to": to };
      const sets = ["#status = :to"];
      Object.entries(changes).forEach(([field, value], i) => {
        if (value === undefined) return;
        names[`#c${i}`] = field;
        values[`:c${i}`] = value;
        sets.push(`#c${i} = :c${i}`);
      });
      const options = from.map((status, i) => {
        values[`:f${i}`] = status;
        return `:f${i}`;
      });
      const item = await updatedItem(this.client, {
        TableName: this.tableName,
        Key: broadcastKeys.meta(id),
        UpdateExpression: `SET ${sets.join(", ")}`,
        ConditionExpression: `attribute_exists(#pk) AND #status IN (${options.join(", ")})`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
      return item && toRecord(item);
    });
  }

  /** @inheritdoc */
  markPlansEnqueued(id: string): Promise<void> {
    return guarded("broadcasts.markPlansEnqueued", async () => {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: broadcastKeys.meta(id),
          UpdateExpression: "SET #flag = :true",
          ConditionExpression: "attribute_exists(#pk)",
          ExpressionAttributeNames: { "#flag": "plansEnqueued", "#pk": pk },
          ExpressionAttributeValues: { ":true": true },
        }),
      );
    });
  }

  /** @inheritdoc */
  setProgressMessage({ broadcastId: id, messageId, language }: ProgressMessage): Promise<boolean> {
    return guarded("broadcasts.setProgressMessage", () =>
      conditional(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: broadcastKeys.meta(id),
            UpdateExpression: "SET #message = :message, #language = :language",
            ConditionExpression: "attribute_exists(#pk) AND attribute_not_exists(#message)",
            ExpressionAttributeNames: {
              "#pk": pk,
              "#message": "progressMessageId",
              "#language": "progressLanguage",
            },
            ExpressionAttributeValues: { ":message": messageId, ":language": language },
          }),
        ),
      ),
    );
  }

  /** @inheritdoc */
  claimProgressEdit({ broadcastId: id, nowMs, minIntervalMs, final }: ProgressEdit): Promise<boolean> {
    return guarded("broadcasts.claimProgressEdit", () =>
      conditional(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: broadcastKeys.meta(id),
            UpdateExpression: final ? "SET #edited = :now, #final = :true" : "SET #edited = :now",
            ConditionExpression: final
              ? "attribute_exists(#pk)"
              : "attribute_exists(#pk) AND attribute_not_exists(#final) AND (attribute_not_exists(#edited) OR #edited <= :cutoff)",
            ExpressionAttributeNames: {
              "#pk": pk,
              "#edited": "progressEditedAt",
              "#final": "progressFinal",
            },
            ExpressionAttributeValues: final
              ? { ":now": nowMs, ":true": true }
              : { ":now": nowMs, ":cutoff": nowMs - minIntervalMs },
          }),
        ),
      ),
    );
  }

  /** @inheritdoc */
  counters(id: string): Promise<ShardCounters[]> {
    if (!this.options.queryCounters)
      return Promise.all(Array.from({ length: audienceShards }, (_, shard) => this.shardCounters(id, shard)));
    return guarded("broadcasts.counters", async () => {
      const items = new Map<string, Record<string, unknown>>();
      const found = await queryAll(this.client, {
        TableName: this.tableName,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
        ExpressionAttributeNames: { "#pk": pk, "#sk": sk },
        ExpressionAttributeValues: { ":pk": `BROADCAST#${id}`, ":prefix": "COUNT#" },
        ConsistentRead: true,
      });
      for (const item of found) items.set(String(item[sk]), item);
      return Array.from({ length: audienceShards }, (_, shard) =>
        toCounters(shard, items.get(String(broadcastKeys.counters(id, shard)[sk]))),
      );
    });
  }

  /** @inheritdoc */
  shardCounters(id: string, shard: number): Promise<ShardCounters> {
    return guarded("broadcasts.counters", async () => {
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: broadcastKeys.counters(id, shard),
          ConsistentRead: true,
        }),
      );
      return toCounters(shard, Item);
    });
  }

  /** @inheritdoc */
  getPlan({ broadcastId: id, shard, part }: PlanKey): Promise<PlanPart | undefined> {
    return guarded("broadcasts.getPlan", async () => {
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: broadcastKeys.plan(id, shard, part),
          ConsistentRead: true,
        }),
      );
      if (!Item) return undefined;
      return {
        shard,
        part,
        recipients: (Item.recipients as [number, number][]).map(([userId, chatId]) => ({ userId, chatId })),
        batchSize: Number(Item.batchSize),
        ...(typeof Item.nextCursor === "string" ? { nextCursor: Item.nextCursor } : {}),
      };
    });
  }

  /** @inheritdoc */
  putPlan(id: string, plan: PlanPart): Promise<PlanPart> {
    return guarded("broadcasts.putPlan", async () => {
      const written = await conditional(() =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...broadcastKeys.plan(id, plan.shard, plan.part),
              // Pairs keep the item small: ~10 bytes per recipient, 500 recipients in ~5 KB.
              recipients: plan.recipients.map((recipient) => [recipient.userId, recipient.chatId]),
              batchSize: plan.batchSize,
              ...(plan.nextCursor ? { nextCursor: plan.nextCursor } : {}),
              [ttl]: this.expiresAt(),
            },
            ConditionExpression: "attribute_not_exists(#pk)",
            ExpressionAttributeNames: { "#pk": pk },
          }),
        ),
      );
      if (written) return plan;
      const stored = await this.getPlan({ broadcastId: id, shard: plan.shard, part: plan.part });
      if (!stored) throw new Error(`plan ${plan.shard}/${plan.part} of ${id} exists and does not`);
      return stored;
    });
  }

  /** @inheritdoc */
  recordPlanned({
    broadcastId: id,
    shard,
    part,
    recipients,
    complete,
  }: PlannedPart): Promise<ShardCounters | undefined> {
    return guarded("broadcasts.recordPlanned", async () => {
      const item = await updatedItem(this.client, {
        TableName: this.tableName,
        Key: broadcastKeys.counters(id, shard),
        UpdateExpression: `SET #planned = :part${complete ? ", #complete = :true" : ""} ADD #total :count`,
        ConditionExpression: part === 0 ? "attribute_not_exists(#planned)" : "#planned = :previous",
        ExpressionAttributeNames: {
          "#planned": "plannedPart",
          "#total": "total",
          ...(complete ? { "#complete": "planComplete" } : {}),
        },
        ExpressionAttributeValues: {
          ":part": part,
          ":count": recipients,
          ...(complete ? { ":true": true } : {}),
          ...(part === 0 ? {} : { ":previous": part - 1 }),
        },
      });
      return item && toCounters(shard, item);
    });
  }

  /** @inheritdoc */
  countBatch({
    broadcastId: id,
    shard,
    batchKey: key,
    counts,
  }: CountedBatch): Promise<ShardCounters | undefined> {
    return guarded("broadcasts.countBatch", async () => {
      const item = await updatedItem(this.client, {
        TableName: this.tableName,
        Key: broadcastKeys.counters(id, shard),
        UpdateExpression: "ADD #sent :sent, #blocked :blocked, #failed :failed, #batches :batchSet",
        ConditionExpression: "NOT contains(#batches, :batch)",
        ExpressionAttributeNames: {
          "#sent": "sent",
          "#blocked": "blocked",
          "#failed": "failed",
          "#batches": "countedBatches",
        },
        ExpressionAttributeValues: {
          ":sent": counts.sent,
          ":blocked": counts.blocked,
          ":failed": counts.failed,
          ":batchSet": new Set([key]),
          ":batch": key,
        },
      });
      return item && toCounters(shard, item);
    });
  }

  /** @inheritdoc */
  recipients(id: string, shard: number, userIds: readonly number[]): Promise<Map<number, RecipientState>> {
    return guarded("broadcasts.recipients", async () => {
      const states = new Map<number, RecipientState>();
      if (userIds.length === 0) return states;
      // A batch is a run of consecutive users in the audience index (sorted by the same decimal string), so
      // its R# items form one key range: one Query instead of a read per recipient.
      const keys = userIds.map((userId) => `R#${userId}`).sort();
      const wanted = new Set(userIds);
      const found = await queryAll(this.client, {
        TableName: this.tableName,
        KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :first AND :last",
        ExpressionAttributeNames: { "#pk": pk, "#sk": sk },
        ExpressionAttributeValues: {
          ":pk": broadcastKeys.shardPartition(id, shard),
          ":first": keys[0],
          ":last": keys.at(-1),
        },
        ConsistentRead: true,
      });
      for (const item of found) {
        const state = toRecipientState(Number(item.userId), toClaimState(item, ["detail"]));
        if (wanted.has(state.userId)) states.set(state.userId, state);
      }
      return states;
    });
  }

  /** @inheritdoc See dynamodb-forget.ts for the requests. */
  forgetUser(userId: number): Promise<void> {
    return guarded("broadcasts.forgetUser", () =>
      forgetRecipient({ client: this.client, tableName: this.tableName, now: this.clock.now() }, userId),
    );
  }
}
