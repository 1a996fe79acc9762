/**
 * Tip history and the once-per-day claim, in the user's item collection (next to the profile):
 * - `USER#<id>` / `TIP#<date>`: today's tip: claimed (`sending`, leased) before the send, then the outcome and
 *   the tip id. The conditional claim is what makes "one tip per user per day" hold when the schedule fires
 *   twice or a batch is re-delivered.
 * - `USER#<id>` / `TIP#<date>#<tipId>`: a tip sent with "more like this".
 * The history is one Query of `begins_with(sk, "TIP#")`: the received tips and when. Items expire after 180
 * days (TTL); an expired tip simply counts as never received, which is what "start over from the oldest" does.
 * - `TIPRUN#<date>#<hour>` / `RUN`: set once the schedule queued every due subscriber of that hour, so a
 *   duplicate schedule event queues nothing (an interrupted run sets nothing and is simply run again).
 */

import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { tableDefinition } from "../../contracts/table";
import type { Clock } from "../ports";
import { conditional, guarded, showsOwnWrite } from "../storage/dynamodb-errors";
import type { ReceivedTip } from "./picker";

/** Where a user's tip of a day stands. */
export type TipDayStatus = "sending" | "released" | "delivered" | "blocked" | "failed" | "skipped";

/** The `TIP#<date>` item. */
export interface TipDay {
  status: TipDayStatus;
  owner?: string;
  leaseUntil?: number;
  tipId?: string;
}

/** Tip claims and history. */
export interface TipStore {
  /** Claims today's tip for a user: true if no claim exists, it was released, or its lease ended before `nowMs`. */
  claimDay(userId: number, date: string, owner: string, leaseUntil: number, nowMs: number): Promise<boolean>;
  /** The day's claim, read consistently. */
  day(userId: number, date: string): Promise<TipDay | undefined>;
  /** Records the outcome if `owner` still holds the claim. */
  finishDay(
    userId: number,
    date: string,
    owner: string,
    status: Exclude<TipDayStatus, "sending" | "released">,
    tipId?: string,
  ): Promise<boolean>;
  /** Gives the claim back (no send was tried in time). */
  releaseDay(userId: number, date: string, owner: string): Promise<void>;
  /** Remembers a tip sent with "more like this". */
  recordExtra(userId: number, tipId: string, at: Date): Promise<void>;
  /** Tips the user received (daily and extra), in any order. */
  history(userId: number): Promise<ReceivedTip[]>;
  /** Whether the schedule already queued every due subscriber of this date and hour. */
  isPlanned(date: string, hour: number): Promise<boolean>;
  /** Marks the date and hour as fully queued. */
  markPlanned(date: string, hour: number): Promise<void>;
}

/** How long tip items are kept. */
export const tipItemTtlSeconds = 180 * 24 * 3600;

const pk = tableDefinition.partitionKey;
const sk = tableDefinition.sortKey;

/** Key builders of the tip items. */
export const tipKeys = {
  day: (userId: number, date: string) => ({ [pk]: `USER#${userId}`, [sk]: `TIP#${date}` }),
  extra: (userId: number, date: string, tipId: string) => ({
    [pk]: `USER#${userId}`,
    [sk]: `TIP#${date}#${tipId}`,
  }),
  run: (date: string, hour: number) => ({
    [pk]: `TIPRUN#${date}#${String(hour).padStart(2, "0")}`,
    [sk]: "RUN",
  }),
};

/** {@link TipStore} on the single table. */
export class DynamoTipStore implements TipStore {
  private readonly clock: Clock;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    clock?: Clock,
  ) {
    this.clock = clock ?? { now: () => new Date() };
  }

  private expiresAt(): number {
    return Math.floor(this.clock.now().getTime() / 1000) + tipItemTtlSeconds;
  }

  /** After a refused write: does the item show this writer's own change anyway? ({@link showsOwnWrite}) */
  private showsOwn(key: Record<string, unknown>, expected: Record<string, unknown>): Promise<boolean> {
    return showsOwnWrite(this.client, this.tableName, key, expected);
  }

  /** @inheritdoc */
  claimDay(userId: number, date: string, owner: string, leaseUntil: number, nowMs: number): Promise<boolean> {
    return guarded("tips.claimDay", () =>
      conditional(
        () =>
          this.client.send(
            new PutCommand({
              TableName: this.tableName,
              Item: {
                ...tipKeys.day(userId, date),
                status: "sending",
                owner,
                leaseUntil,
                [tableDefinition.ttlAttribute]: this.expiresAt(),
              },
              ConditionExpression:
                "attribute_not_exists(#pk) OR #status = :released OR (#status = :sending AND #lease < :now)",
              ExpressionAttributeNames: { "#pk": pk, "#status": "status", "#lease": "leaseUntil" },
              ExpressionAttributeValues: { ":released": "released", ":sending": "sending", ":now": nowMs },
            }),
          ),
        () => this.showsOwn(tipKeys.day(userId, date), { status: "sending", owner }),
      ),
    );
  }

  /** @inheritdoc */
  day(userId: number, date: string): Promise<TipDay | undefined> {
    return guarded("tips.day", async () => {
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: tipKeys.day(userId, date),
          ConsistentRead: true,
        }),
      );
      if (!Item) return undefined;
      return {
        status: Item.status as TipDayStatus,
        ...(typeof Item.owner === "string" ? { owner: Item.owner } : {}),
        ...(typeof Item.leaseUntil === "number" ? { leaseUntil: Item.leaseUntil } : {}),
        ...(typeof Item.tipId === "string" ? { tipId: Item.tipId } : {}),
      };
    });
  }

  /** @inheritdoc */
  finishDay(
    userId: number,
    date: string,
    owner: string,
    status: Exclude<TipDayStatus, "sending" | "released">,
    tipId?: string,
  ): Promise<boolean> {
    return guarded("tips.finishDay", () =>
      conditional(
        () =>
          this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: tipKeys.day(userId, date),
              UpdateExpression: `SET #status = :status, #at = :at${tipId ? ", #tip = :tip" : ""} REMOVE #lease`,
              ConditionExpression: "#status = :sending AND #owner = :owner",
              ExpressionAttributeNames: {
                "#status": "status",
                "#owner": "owner",
                "#lease": "leaseUntil",
                "#at": "sentAt",
                ...(tipId ? { "#tip": "tipId" } : {}),
              },
              ExpressionAttributeValues: {
                ":status": status,
                ":sending": "sending",
                ":owner": owner,
                ":at": this.clock.now().toISOString(),
                ...(tipId ? { ":tip": tipId } : {}),
              },
            }),
          ),
        () => this.showsOwn(tipKeys.day(userId, date), { status, owner }),
      ),
    );
  }

  /** @inheritdoc */
  releaseDay(userId: number, date: string, owner: string): Promise<void> {
    return guarded("tips.releaseDay", async () => {
      await conditional(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: tipKeys.day(userId, date),
            UpdateExpression: "SET #status = :released REMOVE #lease",
            ConditionExpression: "#status = :sending AND #owner = :owner",
            ExpressionAttributeNames: { "#status": "status", "#owner": "owner", "#lease": "leaseUntil" },
            ExpressionAttributeValues: { ":released": "released", ":sending": "sending", ":owner": owner },
          }),
        ),
      );
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
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
            ExpressionAttributeNames: { "#pk": pk, "#sk": sk },
            ExpressionAttributeValues: { ":pk": `USER#${userId}`, ":prefix": "TIP#" },
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const item of page.Items ?? [])
          if (
            item.status === "delivered" &&
            typeof item.tipId === "string" &&
            typeof item.sentAt === "string"
          )
            received.push({ tipId: item.tipId, at: item.sentAt });
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return received;
    });
  }

  /** @inheritdoc */
  isPlanned(date: string, hour: number): Promise<boolean> {
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
  markPlanned(date: string, hour: number): Promise<void> {
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
}

/** {@link TipStore} in memory, with the same claim conditions. */
export class MemoryTipStore implements TipStore {
  private readonly days = new Map<string, TipDay & { at?: string }>();
  private readonly extras: { userId: number; tipId: string; at: string }[] = [];
  private readonly planned = new Set<string>();

  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  /** @inheritdoc */
  async claimDay(
    userId: number,
    date: string,
    owner: string,
    leaseUntil: number,
    nowMs: number,
  ): Promise<boolean> {
    const key = `${userId}#${date}`;
    const stored = this.days.get(key);
    const free =
      !stored ||
      stored.status === "released" ||
      (stored.status === "sending" && (stored.leaseUntil ?? Number.POSITIVE_INFINITY) < nowMs);
    if (!free) return false;
    this.days.set(key, { status: "sending", owner, leaseUntil });
    return true;
  }

  /** @inheritdoc */
  async day(userId: number, date: string): Promise<TipDay | undefined> {
    const stored = this.days.get(`${userId}#${date}`);
    return stored && { ...stored };
  }

  /** @inheritdoc */
  async finishDay(
    userId: number,
    date: string,
    owner: string,
    status: Exclude<TipDayStatus, "sending" | "released">,
    tipId?: string,
  ): Promise<boolean> {
    const key = `${userId}#${date}`;
    const stored = this.days.get(key);
    if (stored?.status !== "sending" || stored.owner !== owner) return false;
    this.days.set(key, { status, owner, ...(tipId ? { tipId } : {}), at: this.clock.now().toISOString() });
    return true;
  }

  /** @inheritdoc */
  async releaseDay(userId: number, date: string, owner: string): Promise<void> {
    const key = `${userId}#${date}`;
    const stored = this.days.get(key);
    if (stored?.status === "sending" && stored.owner === owner)
      this.days.set(key, { status: "released", owner });
  }

  /** @inheritdoc */
  async recordExtra(userId: number, tipId: string, at: Date): Promise<void> {
    this.extras.push({ userId, tipId, at: at.toISOString() });
  }

  /** @inheritdoc */
  async history(userId: number): Promise<ReceivedTip[]> {
    const daily = [...this.days.entries()]
      .filter(
        ([key, day]) => key.startsWith(`${userId}#`) && day.status === "delivered" && day.tipId && day.at,
      )
      .map(([, day]) => ({ tipId: day.tipId as string, at: day.at as string }));
    const extra = this.extras.filter((e) => e.userId === userId).map(({ tipId, at }) => ({ tipId, at }));
    return [...daily, ...extra];
  }

  /** @inheritdoc */
  async isPlanned(date: string, hour: number): Promise<boolean> {
    return this.planned.has(`${date}#${hour}`);
  }

  /** @inheritdoc */
  async markPlanned(date: string, hour: number): Promise<void> {
    this.planned.add(`${date}#${hour}`);
  }
}
