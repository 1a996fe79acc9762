/**
 * {@link TipStore} on the single table (items in port.ts): the day claims through bot/leases/, the history
 * with one Query of the user's `TIP#` items.
 */

import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { tableDefinition } from "../../../contracts/table";
import { DynamoLeasedClaims } from "../../leases/dynamodb";
import type { Clock } from "../../ports";
import { deleteKeys, queryAll } from "../../storage/dynamodb-client";
import { guarded } from "../../storage/dynamodb-errors";
import type { ReceivedTip } from "../picker";
import {
  type TipDayKey,
  type TipOutcomeStatus,
  type TipSlot,
  type TipStore,
  tipItemTtlSeconds,
  tipKeys,
} from "./port";

const pk = tableDefinition.partitionKey;
const sk = tableDefinition.sortKey;

/** Options of {@link DynamoTipStore}. */
export interface DynamoTipStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Time stamps and item expiry (default: the system clock). */
  clock?: Clock;
}

/** {@link TipStore} on the single table; the days are leased claims (bot/leases/). */
export class DynamoTipStore extends DynamoLeasedClaims<TipDayKey, TipOutcomeStatus> implements TipStore {
  constructor(options: DynamoTipStoreOptions) {
    super({
      client: options.client,
      tableName: options.tableName,
      ...(options.clock ? { clock: options.clock } : {}),
      name: "tips",
      key: (day) => tipKeys.day(day.userId, day.date),
      finishedAtAttribute: "sentAt",
      ttlSeconds: tipItemTtlSeconds,
      outcomeFields: ["tipId"],
    });
  }

  /** @inheritdoc */
  recordExtra(userId: number, tipId: string, at: Date): Promise<void> {
    return guarded("tips.recordExtra", async () => {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...tipKeys.extra(userId, at.toISOString().slice(0, 10), tipId),
            status: "delivered",
            tipId,
            sentAt: at.toISOString(),
            [tableDefinition.ttlAttribute]: this.expiresAt(),
          },
        }),
      );
    });
  }

  /** @inheritdoc */
  history(userId: number): Promise<ReceivedTip[]> {
    return guarded("tips.history", async () => {
      const received: ReceivedTip[] = [];
      const found = await queryAll(this.client, {
        TableName: this.tableName,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
        ExpressionAttributeNames: { "#pk": pk, "#sk": sk },
        ExpressionAttributeValues: { ":pk": `USER#${userId}`, ":prefix": "TIP#" },
      });
      for (const item of found)
        if (item.status === "delivered" && typeof item.tipId === "string" && typeof item.sentAt === "string")
          received.push({ tipId: item.tipId, at: item.sentAt });
      return received;
    });
  }

  /** @inheritdoc */
  isPlanned({ date, hour }: TipSlot): Promise<boolean> {
    return guarded("tips.isPlanned", async () => {
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: tipKeys.run(date, hour),
          ConsistentRead: true,
        }),
      );
      return Item?.planned === true;
    });
  }

  /** @inheritdoc */
  markPlanned({ date, hour }: TipSlot): Promise<void> {
    return guarded("tips.markPlanned", async () => {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...tipKeys.run(date, hour),
            planned: true,
            at: this.clock.now().toISOString(),
            [tableDefinition.ttlAttribute]: Math.floor(this.clock.now().getTime() / 1000) + 8 * 24 * 3600,
          },
        }),
      );
    });
  }

  /** @inheritdoc One Query of the user's `TIP#` keys, then BatchWriteItem deletes. */
  forgetUser(userId: number): Promise<void> {
    return guarded("tips.forgetUser", async () => {
      const found = await queryAll(this.client, {
        TableName: this.tableName,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
        ExpressionAttributeNames: { "#pk": pk, "#sk": sk },
        ExpressionAttributeValues: { ":pk": `USER#${userId}`, ":prefix": "TIP#" },
        ProjectionExpression: "#pk, #sk",
        ConsistentRead: true,
      });
      await deleteKeys(this.client, this.tableName, found);
    });
  }
}
