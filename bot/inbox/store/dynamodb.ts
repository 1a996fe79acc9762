/**
 * {@link InboxStore} on the single table (items in port.ts). A contribution is one UpdateItem: `ADD` of the count,
 * of the contributor's own counter and of the origin (a string set), `if_not_exists` for what the first sight
 * fixes (text, first time, status), `SET` for the rest; so concurrent contributions never lose a count and no read
 * comes first. Listing reads the `INBOX` partition (entries of other statuses filtered out by DynamoDB) and sorts
 * in the adapter: docs/data-model.md, "Inbox", says why and up to what size that is the cheaper design.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DeleteCommand, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { tableDefinition } from "../../../contracts/table";
import type { Clock } from "../../ports";
import { queryAll } from "../../storage/dynamodb-client";
import { guarded, isConditionalCheckFailed, updatedItem } from "../../storage/dynamodb-errors";
import { InvalidStorageArgumentError } from "../../storage/errors";
import { systemClock } from "../../storage/shared";
import {
  checkInboxStatus,
  type InboxContribution,
  type InboxEntry,
  type InboxLabel,
  type InboxOrigin,
  type InboxPage,
  type InboxQuery,
  type InboxStore,
  inboxEntryId,
  inboxExpiry,
  inboxPage,
  keptCandidates,
  normalizeInboxText,
} from "./port";

const pk = tableDefinition.partitionKey;
const sk = tableDefinition.sortKey;
const ttl = tableDefinition.ttlAttribute;

/** Partition of every inbox entry. */
export const inboxPartition = "INBOX";

/** Key builders of the inbox items. */
export const inboxKeys = {
  entry: (id: string) => ({ [pk]: inboxPartition, [sk]: `E#${id}` }),
};

/** The attribute holding how many times a user sent an entry's text (its name carries the user id). */
export function contributorAttribute(userId: number): string {
  if (!Number.isSafeInteger(userId))
    throw new InvalidStorageArgumentError(`User id ${userId} is not an integer; pass Telegram's user id.`);
  return `u${userId}`;
}

/** Entry attributes a listing reads (never the per-user counters). */
const entryFields = [
  "text",
  "normalized",
  "language",
  "tier",
  "candidates",
  "firstSeen",
  "lastSeen",
  "count",
  "origins",
  "answeredIntent",
  "status",
  "label",
  "labelledAt",
  ttl,
  sk,
] as const;
const projection = {
  ProjectionExpression: entryFields.map((_, index) => `#f${index}`).join(", "),
  names: Object.fromEntries(entryFields.map((field, index) => [`#f${index}`, field])),
};

/** Options of {@link DynamoInboxStore}. */
export interface DynamoInboxStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Days an entry is kept after it was last seen or labelled (`BotConfig.inboxRetentionDays`). */
  retentionDays: number;
  clock?: Clock;
}

/** {@link InboxStore} on the single table; see the module comment. */
export class DynamoInboxStore implements InboxStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retentionDays: number;
  private readonly clock: Clock;

  constructor(options: DynamoInboxStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.retentionDays = options.retentionDays;
    this.clock = options.clock ?? systemClock;
  }

  /** @inheritdoc */
  record(contribution: InboxContribution): Promise<string> {
    return guarded(
      "inbox.record",
      async () => {
        const id = inboxEntryId(contribution.language, contribution.text);
        const at = contribution.at.toISOString();
        const answered = contribution.answeredIntent !== undefined;
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: inboxKeys.entry(id),
            UpdateExpression:
              "SET #text = if_not_exists(#text, :text), #normalized = :normalized, #language = :language, " +
              "#tier = :tier, #candidates = :candidates, #firstSeen = if_not_exists(#firstSeen, :at), " +
              "#lastSeen = :at, #status = if_not_exists(#status, :new), #ttl = :expiresAt" +
              (answered ? ", #answeredIntent = :answeredIntent" : "") +
              " ADD #count :one, #user :one, #origins :origin",
            ExpressionAttributeNames: {
              "#text": "text",
              "#normalized": "normalized",
              "#language": "language",
              "#tier": "tier",
              "#candidates": "candidates",
              "#firstSeen": "firstSeen",
              "#lastSeen": "lastSeen",
              "#status": "status",
              "#ttl": ttl,
              "#count": "count",
              "#user": contributorAttribute(contribution.userId),
              "#origins": "origins",
              ...(answered ? { "#answeredIntent": "answeredIntent" } : {}),
            },
            ExpressionAttributeValues: {
              ":text": contribution.text,
              ":normalized": normalizeInboxText(contribution.text),
              ":language": contribution.language,
              ":tier": contribution.tier,
              ":candidates": keptCandidates(contribution.candidates),
              ":at": at,
              ":new": "new",
              ":expiresAt": inboxExpiry(contribution.at, this.retentionDays),
              ":one": 1,
              ":origin": new Set([contribution.origin]),
              ...(answered ? { ":answeredIntent": contribution.answeredIntent } : {}),
            },
          }),
        );
        return id;
      },
      isDomainError,
    );
  }

  /** @inheritdoc */
  get(id: string): Promise<InboxEntry | undefined> {
    return guarded("inbox.get", async () => {
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: inboxKeys.entry(id),
          ConsistentRead: true,
          ProjectionExpression: projection.ProjectionExpression,
          ExpressionAttributeNames: projection.names,
        }),
      );
      const entry = Item ? entryOf(Item) : undefined;
      return entry && entry.expiresAt > this.nowSeconds() ? entry : undefined;
    });
  }

  /** @inheritdoc */
  list(query: InboxQuery = {}): Promise<InboxPage> {
    const status = query.status ?? "new";
    return guarded(
      "inbox.list",
      async () => {
        checkInboxStatus(status);
        const now = this.nowSeconds();
        const items = await queryAll(this.client, {
          TableName: this.tableName,
          // Consistent: a reviewer who just labelled an entry must not be shown it again.
          ConsistentRead: true,
          KeyConditionExpression: "#pk = :pk",
          FilterExpression: "#status = :status AND #ttl > :now",
          ProjectionExpression: projection.ProjectionExpression,
          ExpressionAttributeNames: { ...projection.names, "#pk": pk, "#status": "status", "#ttl": ttl },
          ExpressionAttributeValues: { ":pk": inboxPartition, ":status": status, ":now": now },
        });
        return inboxPage(items.map(entryOf), { ...query, status }, now);
      },
      isDomainError,
    );
  }

  /** @inheritdoc */
  label(id: string, label: InboxLabel, at: Date): Promise<InboxEntry | undefined> {
    return guarded("inbox.label", async () => {
      const labelled = label.status === "labelled";
      const item = await updatedItem(this.client, {
        TableName: this.tableName,
        Key: inboxKeys.entry(id),
        UpdateExpression:
          "SET #status = :status, #labelledAt = :at, #ttl = :expiresAt" +
          (labelled ? ", #label = :label" : " REMOVE #label"),
        ConditionExpression: "attribute_exists(#pk) AND #ttl > :now",
        ExpressionAttributeNames: {
          "#pk": pk,
          "#status": "status",
          "#labelledAt": "labelledAt",
          "#ttl": ttl,
          "#label": "label",
        },
        ExpressionAttributeValues: {
          ":status": label.status,
          ":at": at.toISOString(),
          ":expiresAt": inboxExpiry(at, this.retentionDays),
          ":now": this.nowSeconds(),
          ...(labelled ? { ":label": label.intent } : {}),
        },
      });
      return item ? entryOf(item) : undefined;
    });
  }

  /** @inheritdoc */
  forgetUser(userId: number): Promise<void> {
    return guarded(
      "inbox.forgetUser",
      async () => {
        const user = contributorAttribute(userId);
        const found = await queryAll(this.client, {
          TableName: this.tableName,
          ConsistentRead: true,
          KeyConditionExpression: "#pk = :pk",
          FilterExpression: "attribute_exists(#user)",
          ProjectionExpression: "#pk, #sk, #user",
          ExpressionAttributeNames: { "#pk": pk, "#sk": sk, "#user": user },
          ExpressionAttributeValues: { ":pk": inboxPartition },
        });
        for (const item of found) {
          const key = { [pk]: item[pk], [sk]: item[sk] };
          const sent = Number(item[user]);
          // Conditional on the counter still being there, so a repeated /forget never takes the share off twice.
          const left = await updatedItem(this.client, {
            TableName: this.tableName,
            Key: key,
            UpdateExpression: "REMOVE #user SET #text = #normalized ADD #count :minus",
            ConditionExpression: "attribute_exists(#user)",
            ExpressionAttributeNames: {
              "#user": user,
              "#text": "text",
              "#normalized": "normalized",
              "#count": "count",
            },
            ExpressionAttributeValues: { ":minus": -sent },
          });
          if (left && Number(left.count) <= 0) await this.deleteIfEmpty(key);
        }
      },
      isDomainError,
    );
  }

  /** Deletes an entry nobody sent any more (unless a contribution arrived meanwhile). */
  private async deleteIfEmpty(key: Record<string, unknown>): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key,
          ConditionExpression: "#count <= :zero",
          ExpressionAttributeNames: { "#count": "count" },
          ExpressionAttributeValues: { ":zero": 0 },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}

function isDomainError(error: unknown): boolean {
  return error instanceof InvalidStorageArgumentError;
}

/** The entry an item holds (sets become sorted arrays, bookkeeping attributes are left out). */
function entryOf(item: Record<string, unknown>): InboxEntry {
  const origins = item.origins instanceof Set ? [...(item.origins as Set<InboxOrigin>)].sort() : [];
  return {
    id: String(item[sk]).slice("E#".length),
    text: String(item.text),
    normalized: String(item.normalized),
    language: String(item.language),
    tier: item.tier as InboxEntry["tier"],
    candidates: (item.candidates as InboxEntry["candidates"] | undefined) ?? [],
    firstSeen: String(item.firstSeen),
    lastSeen: String(item.lastSeen),
    count: Number(item.count),
    origins,
    ...(typeof item.answeredIntent === "string" ? { answeredIntent: item.answeredIntent } : {}),
    status: item.status as InboxEntry["status"],
    ...(typeof item.label === "string" ? { label: item.label } : {}),
    ...(typeof item.labelledAt === "string" ? { labelledAt: item.labelledAt } : {}),
    expiresAt: Number(item[ttl]),
  };
}
