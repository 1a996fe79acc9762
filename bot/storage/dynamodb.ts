/**
 * DynamoDB implementation of the storage ports on the single table of contracts/table.ts: chat state and
 * profiles here, answers and processed updates in dynamodb-records.ts
 * (item design and access patterns: docs/data-model.md). Every write is one conditional single-item request;
 * there are no transactions, so it runs on dynalite too. Like Powertools' idempotency layer, it takes a ready
 * {@link DynamoDBDocumentClient} (bot/storage/dynamodb-client.ts), turns `ConditionalCheckFailedException`
 * into the domain answer (conflict error, `false`, "already saved") and wraps every other failure in
 * {@link StorageError} with the vendor error as `cause`.
 */

import { randomUUID } from "node:crypto";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type TableIndex, tableDefinition, tableIndex } from "../../contracts/table";
import type { Clock } from "../ports";
import { queryIndexPage } from "./dynamodb-client";
import { conditional, isConditionalCheckFailed, showsOwnWrite } from "./dynamodb-errors";
import { DynamoAnswerStore, DynamoProcessedUpdateStore } from "./dynamodb-records";
import { type DynamoStorageOptions, guarded, keys } from "./dynamodb-shared";
import { InvalidStorageArgumentError, UserNotFoundError } from "./errors";
import {
  type ChatState,
  ChatStateConflictError,
  type ChatStateStore,
  type Page,
  type Storage,
  type UserProfile,
  type UserProfileChanges,
  type UserStore,
  type VersionedChatState,
} from "./port";
import {
  applyProfileChanges,
  audienceShardOf,
  blockedDay,
  checkDay,
  checkShard,
  checkTipHour,
  isDueForTips,
  isRemovableProfileField,
  storedCopy,
  systemClock,
  withBlockedSince,
} from "./shared";

export { DynamoAnswerStore, DynamoProcessedUpdateStore } from "./dynamodb-records";
export { type DynamoStorageOptions, keys } from "./dynamodb-shared";

const pk = tableDefinition.partitionKey;
const audienceIndex = tableIndex("audience");
const tipsIndex = tableIndex("tipsDue");
const blockedIndex = tableIndex("blocked");

/** Attributes of a profile item that are not part of {@link UserProfile}. */
const profileBookkeeping = [
  "pk",
  "sk",
  "version",
  "audiencePk",
  "audienceSk",
  "tipsPk",
  "tipsSk",
  "blockedPk",
  "blockedSk",
];

/** Attempts of the read-modify-write in {@link DynamoUserStore.update} before giving up as an outage. */
const maxUpdateAttempts = 5;

/** {@link ChatStateStore} on item `CHAT#<chatId>` / `STATE`: one consistent GetItem to load, one conditional PutItem to save. */
export class DynamoChatStateStore implements ChatStateStore {
  private readonly clock: Clock;

  constructor(private readonly options: DynamoStorageOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** @inheritdoc */
  load(chatId: number): Promise<VersionedChatState | undefined> {
    return guarded("chats.load", async () => {
      const { Item } = await this.options.client.send(
        new GetCommand({
          TableName: this.options.tableName,
          Key: keys.chatState(chatId),
          ConsistentRead: true,
          ProjectionExpression: "#state, #version",
          ExpressionAttributeNames: { "#state": "state", "#version": "version" },
        }),
      );
      if (!Item) return undefined;
      return { state: Item.state as ChatState, version: Item.version as number };
    });
  }

  /**
   * @inheritdoc
   * Each save writes a random `writeId`. When the client retried a put whose first attempt landed but whose
   * answer was lost (a timeout, a dropped connection), the retry fails its own condition; the stored
   * `writeId` tells that apart from a real conflict, which matters because the conversation treats a
   * conflict as "handle again" and would then find its own update id and send nothing. A concurrent handler
   * of the same update (Telegram re-sent it) has another `writeId`, so it still loses and sends nothing.
   */
  save(chatId: number, state: ChatState, expectedVersion: number): Promise<number> {
    return guarded("chats.save", async () => {
      const version = expectedVersion + 1;
      const isNew = expectedVersion === 0;
      const writeId = randomUUID();
      const { client, tableName } = this.options;
      const saved = await conditional(
        () =>
          client.send(
            new PutCommand({
              TableName: tableName,
              Item: {
                ...keys.chatState(chatId),
                version,
                state,
                writeId,
                updatedAt: this.clock.now().toISOString(),
              },
              ConditionExpression: isNew ? "attribute_not_exists(#pk)" : "#version = :expected",
              ExpressionAttributeNames: isNew ? { "#pk": pk } : { "#version": "version" },
              ...(isNew ? {} : { ExpressionAttributeValues: { ":expected": expectedVersion } }),
            }),
          ),
        () => showsOwnWrite(client, tableName, keys.chatState(chatId), { writeId }),
      );
      if (!saved) throw new ChatStateConflictError(chatId, expectedVersion);
      return version;
    });
  }

  /** @inheritdoc One consistent GetItem of `updatedAt` only. */
  savedAt(chatId: number): Promise<string | undefined> {
    return guarded("chats.savedAt", async () => {
      const { Item } = await this.options.client.send(
        new GetCommand({
          TableName: this.options.tableName,
          Key: keys.chatState(chatId),
          ConsistentRead: true,
          ProjectionExpression: "#updatedAt",
          ExpressionAttributeNames: { "#updatedAt": "updatedAt" },
        }),
      );
      return typeof Item?.updatedAt === "string" ? Item.updatedAt : undefined;
    });
  }

  /** @inheritdoc One DeleteItem. */
  delete(chatId: number): Promise<void> {
    return guarded("chats.delete", async () => {
      await this.options.client.send(
        new DeleteCommand({ TableName: this.options.tableName, Key: keys.chatState(chatId) }),
      );
    });
  }
}

/**
 * The index attributes a profile carries: always the audience pair, the tips pair only when due, the blocked
 * pair only while blocked (sparse indexes).
 */
function indexAttributes(profile: UserProfile): Record<string, string> {
  const attributes: Record<string, string> = {
    audiencePk: keys.audiencePk(audienceShardOf(profile.userId)),
    audienceSk: keys.userSk(profile.userId),
  };
  if (isDueForTips(profile) && profile.tipHour !== undefined) {
    attributes.tipsPk = keys.tipsPk(profile.tipHour);
    attributes.tipsSk = keys.userSk(profile.userId);
  }
  if (profile.blocked && profile.blockedAt !== undefined) {
    attributes.blockedPk = keys.blockedPk(blockedDay(profile.blockedAt));
    attributes.blockedSk = keys.userSk(profile.userId);
  }
  return attributes;
}

function toProfile(item: Record<string, unknown>): UserProfile {
  const profile: Record<string, unknown> = { ...item };
  for (const attribute of profileBookkeeping) delete profile[attribute];
  return profile as unknown as UserProfile;
}

/** Builds `SET a = :a, ... REMOVE b, ...` with placeholders for every name and value, after the `extraSets` clauses. */
function updateExpression(set: Record<string, unknown>, remove: string[], extraSets: string[]) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = Object.entries(set).map(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  const removes = remove.map((name, i) => {
    names[`#r${i}`] = name;
    return `#r${i}`;
  });
  const clauses = [`SET ${[...extraSets, ...sets].join(", ")}`];
  if (removes.length > 0) clauses.push(`REMOVE ${removes.join(", ")}`);
  return { expression: clauses.join(" "), names, values };
}

/** Changes that can move a user into or out of the sparse `tipsDue` and `blocked` indexes. */
const dueFields = ["subscribed", "blocked", "blockedAt", "tipHour"];

/**
 * {@link UserStore} on item `USER#<userId>` / `PROFILE`, indexed by `audience` (every user, 16 shards) and the
 * sparse `tipsDue` (only users due a tip). See {@link DynamoUserStore.update} for how the index attributes
 * stay consistent without transactions.
 */
export class DynamoUserStore implements UserStore {
  private readonly clock: Clock;

  constructor(private readonly options: DynamoStorageOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** @inheritdoc */
  get(userId: number): Promise<UserProfile | undefined> {
    return guarded("users.get", () => this.read(userId).then((item) => item && toProfile(item)));
  }

  /** @inheritdoc */
  createIfMissing(profile: UserProfile): Promise<UserProfile> {
    return guarded("users.createIfMissing", async () => {
      if (profile.tipHour !== undefined) checkTipHour(profile.tipHour);
      const created = withBlockedSince(profile);
      for (let attempt = 0; attempt < maxUpdateAttempts; attempt++) {
        try {
          await this.options.client.send(
            new PutCommand({
              TableName: this.options.tableName,
              Item: {
                ...created,
                ...keys.userProfile(profile.userId),
                ...indexAttributes(created),
                version: 1,
              },
              ConditionExpression: "attribute_not_exists(#pk)",
              ExpressionAttributeNames: { "#pk": pk },
            }),
          );
          return storedCopy(created);
        } catch (error) {
          if (!isConditionalCheckFailed(error)) throw error;
        }
        const stored = await this.read(profile.userId);
        if (stored) return toProfile(stored); // else it was deleted in between: try to create again
      }
      throw new Error(`user ${profile.userId} kept appearing and disappearing during createIfMissing`);
    });
  }

  /**
   * Applies `changes` with one UpdateItem. A change to `subscribed`, `blocked` or `tipHour` can move the user in
   * or out of the sparse `tipsDue` index, whose attributes depend on all three AFTER the change: for those, the
   * profile is read (consistent), merged, and written conditioned on the `version` it was read at, retrying on
   * conflict (optimistic locking, as for chat state). Other changes cannot affect the index and need no read.
   * @throws UserNotFoundError when the user was never created
   */
  update(userId: number, changes: UserProfileChanges): Promise<UserProfile> {
    return guarded("users.update", async () => {
      const touchesIndex = Object.keys(changes).some((key) => dueFields.includes(key));
      for (let attempt = 0; attempt < maxUpdateAttempts; attempt++) {
        const stored = touchesIndex ? await this.read(userId) : undefined;
        if (touchesIndex && !stored) throw new UserNotFoundError(userId);
        try {
          return await this.write(userId, changes, stored);
        } catch (error) {
          if (!isConditionalCheckFailed(error)) throw error;
          if (!touchesIndex) throw new UserNotFoundError(userId);
          // someone else changed the profile since we read it (or deleted it): read again
        }
      }
      throw new Error(
        `user ${userId} changed ${maxUpdateAttempts} times while being updated; retry the update`,
      );
    });
  }

  /** One UpdateItem: the changed fields, `updatedAt`, the index attributes (when `stored` was read) and a new version. */
  private async write(
    userId: number,
    changes: UserProfileChanges,
    stored: Record<string, unknown> | undefined,
  ) {
    const set: Record<string, unknown> = { updatedAt: this.clock.now().toISOString() };
    const remove: string[] = [];
    for (const [key, value] of Object.entries(changes)) {
      if (key === "userId" || key === "createdAt" || profileBookkeeping.includes(key)) continue;
      if (value !== undefined) set[key] = value;
      else if (isRemovableProfileField(key)) remove.push(key);
    }
    if (typeof set.tipHour === "number") checkTipHour(set.tipHour);
    let condition = "attribute_exists(#pk)";
    const conditionValues: Record<string, unknown> = {};
    if (stored) {
      const merged = applyProfileChanges(toProfile(stored), changes, this.clock);
      const index = indexAttributes(merged);
      Object.assign(set, index);
      if (!index.tipsPk) remove.push("tipsPk", "tipsSk");
      if (!index.blockedPk) remove.push("blockedPk", "blockedSk");
      // `blockedAt` follows `blocked` (shared.ts withBlockedSince), whatever the changes said of it.
      if (merged.blockedAt === undefined) remove.push("blockedAt");
      else set.blockedAt = merged.blockedAt;
      if (typeof stored.version === "number") {
        condition += " AND #version = :read";
        conditionValues[":read"] = stored.version;
      } else {
        condition += " AND attribute_not_exists(#version)"; // an item written before versions existed
      }
    }
    const { expression, names, values } = updateExpression(
      set,
      [...new Set(remove)],
      ["#version = if_not_exists(#version, :zero) + :one"],
    );
    const { Attributes } = await this.options.client.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: keys.userProfile(userId),
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeNames: { ...names, "#pk": pk, "#version": "version" },
        ExpressionAttributeValues: { ...values, ...conditionValues, ":zero": 0, ":one": 1 },
        ReturnValues: "ALL_NEW",
      }),
    );
    return toProfile(Attributes ?? {});
  }

  /** @inheritdoc */
  listSubscribersDue(
    hour: number,
    options?: { cursor?: string; limit?: number },
  ): Promise<Page<UserProfile>> {
    return guarded("users.listSubscribersDue", async () => {
      checkTipHour(hour);
      return this.queryIndex(tipsIndex, keys.tipsPk(hour), options);
    });
  }

  /** @inheritdoc */
  listAudience(shard: number, options?: { cursor?: string; limit?: number }): Promise<Page<UserProfile>> {
    return guarded("users.listAudience", async () => {
      checkShard(shard);
      return this.queryIndex(audienceIndex, keys.audiencePk(shard), options);
    });
  }

  /** @inheritdoc One Query of the sparse `blocked` index, partition `BLOCKED#<day>`. */
  listBlockedOn(day: string, options?: { cursor?: string; limit?: number }): Promise<Page<UserProfile>> {
    return guarded("users.listBlockedOn", async () => {
      checkDay(day);
      return this.queryIndex(blockedIndex, keys.blockedPk(day), options);
    });
  }

  /** @inheritdoc One DeleteItem of the profile item; DynamoDB drops its index copies with it. */
  forgetUser(userId: number): Promise<void> {
    return guarded("users.forgetUser", async () => {
      await this.options.client.send(
        new DeleteCommand({ TableName: this.options.tableName, Key: keys.userProfile(userId) }),
      );
    });
  }

  private async read(userId: number): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.options.client.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: keys.userProfile(userId),
        ConsistentRead: true,
      }),
    );
    return Item;
  }

  /** One Query page of a GSI partition (see `queryIndexPage`). */
  private async queryIndex(
    index: TableIndex,
    partition: string,
    options: { cursor?: string; limit?: number } = {},
  ): Promise<Page<UserProfile>> {
    const found = await queryIndexPage(
      this.options.client,
      this.options.tableName,
      index,
      partition,
      options,
    );
    return { ...found, items: found.items.map(toProfile) };
  }
}

/**
 * Builds the DynamoDB {@link Storage} on one table. Its client drops `undefined` fields on write, as the
 * in-memory twin does.
 */
export function createDynamoStorage(options: DynamoStorageOptions): Storage {
  if (!options.tableName) {
    throw new InvalidStorageArgumentError(
      "createDynamoStorage needs a tableName; set the TABLE_NAME configuration.",
    );
  }
  return {
    chats: new DynamoChatStateStore(options),
    users: new DynamoUserStore(options),
    answers: new DynamoAnswerStore(options),
    processedUpdates: new DynamoProcessedUpdateStore(options),
  };
}
