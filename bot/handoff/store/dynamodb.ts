/**
 * {@link HandoffStore} on the single table (items and keys in port.ts). Requests: `open` 2 PutItem (thread,
 * pointer); `get` 1 GetItem; `recordMessage` 1 UpdateItem (thread) + 1 PutItem (index); `threadOfMessage`
 * 1 GetItem; `close` 1 conditional UpdateItem (+1 GetItem after a refusal, to recognise its own lost answer);
 * `forgetUser` 1 Query of the user's pointers, 1 GetItem per thread and 1 DeleteItem per item.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { tableDefinition } from "../../../contracts/table";
import { queryAll } from "../../storage/dynamodb-client";
import { conditional, guarded, isConditionalCheckFailed, showsOwnWrite } from "../../storage/dynamodb-errors";
import {
  checkThreadId,
  type HandoffStore,
  type HandoffThread,
  handoffExpiresAt,
  handoffKeys,
  InvalidThreadIdError,
  type ThreadClose,
} from "./port";

const pk = tableDefinition.partitionKey;
const sk = tableDefinition.sortKey;
const ttl = tableDefinition.ttlAttribute;
/** DeleteItem requests `forgetUser` sends at once. */
const deletesAtOnce = 10;

/** Options of {@link DynamoHandoffStore}. */
export interface DynamoHandoffStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const isDomainError = (error: unknown) => error instanceof InvalidThreadIdError;

/** {@link HandoffStore} on the single table. */
export class DynamoHandoffStore implements HandoffStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoHandoffStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  /** @inheritdoc */
  open(thread: HandoffThread): Promise<void> {
    return guarded(
      "handoff.open",
      async () => {
        checkThreadId(thread.threadId);
        const expiresAt = handoffExpiresAt(thread.openedAt);
        // The pointer first: a thread item never exists without the pointer forgetUser finds it by.
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...handoffKeys.pointer(thread.userId, thread.threadId),
              threadId: thread.threadId,
              [ttl]: expiresAt,
            },
          }),
        );
        await conditional(() =>
          this.client.send(
            new PutCommand({
              TableName: this.tableName,
              Item: { ...handoffKeys.thread(thread.threadId), ...thread, [ttl]: expiresAt },
              ConditionExpression: "attribute_not_exists(#pk)",
              ExpressionAttributeNames: { "#pk": pk },
            }),
          ),
        );
      },
      isDomainError,
    );
  }

  /** @inheritdoc */
  get(threadId: string): Promise<HandoffThread | undefined> {
    return guarded(
      "handoff.get",
      async () => {
        checkThreadId(threadId);
        const { Item } = await this.client.send(
          new GetCommand({
            TableName: this.tableName,
            Key: handoffKeys.thread(threadId),
            ConsistentRead: true,
          }),
        );
        return Item ? threadOf(Item) : undefined;
      },
      isDomainError,
    );
  }

  /** @inheritdoc */
  recordMessage(threadId: string, messageId: number, options: { root?: boolean } = {}): Promise<void> {
    return guarded(
      "handoff.recordMessage",
      async () => {
        checkThreadId(threadId);
        let thread: Record<string, unknown> | undefined;
        try {
          const { Attributes } = await this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: handoffKeys.thread(threadId),
              UpdateExpression: `SET #ids = list_append(if_not_exists(#ids, :empty), :ids)${
                options.root ? ", #root = if_not_exists(#root, :id)" : ""
              }`,
              ConditionExpression: "attribute_exists(#pk)",
              ExpressionAttributeNames: {
                "#pk": pk,
                "#ids": "supportMessageIds",
                ...(options.root ? { "#root": "rootMessageId" } : {}),
              },
              ExpressionAttributeValues: {
                ":empty": [],
                ":ids": [messageId],
                ...(options.root ? { ":id": messageId } : {}),
              },
              ReturnValues: "ALL_NEW",
            }),
          );
          thread = Attributes;
        } catch (error) {
          // The thread was forgotten meanwhile: nothing to index.
          if (isConditionalCheckFailed(error)) return;
          throw error;
        }
        if (!thread) return;
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...handoffKeys.message(Number(thread.supportChatId), messageId),
              threadId,
              [ttl]: thread[ttl],
            },
          }),
        );
      },
      isDomainError,
    );
  }

  /** @inheritdoc */
  threadOfMessage(supportChatId: number, messageId: number): Promise<string | undefined> {
    return guarded("handoff.threadOfMessage", async () => {
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: handoffKeys.message(supportChatId, messageId),
          ConsistentRead: true,
        }),
      );
      return typeof Item?.threadId === "string" ? Item.threadId : undefined;
    });
  }

  /** @inheritdoc */
  close(threadId: string, close: ThreadClose): Promise<HandoffThread | undefined> {
    return guarded(
      "handoff.close",
      async () => {
        checkThreadId(threadId);
        const key = handoffKeys.thread(threadId);
        let closed: Record<string, unknown> | undefined;
        const applied = await conditional(
          async () => {
            const { Attributes } = await this.client.send(
              new UpdateCommand({
                TableName: this.tableName,
                Key: key,
                UpdateExpression: "SET #status = :closed, closedAt = :at, closedBy = :by, closeId = :closeId",
                ConditionExpression: "attribute_exists(#pk) AND #status = :open",
                ExpressionAttributeNames: { "#pk": pk, "#status": "status" },
                ExpressionAttributeValues: {
                  ":closed": "closed",
                  ":open": "open",
                  ":at": close.at,
                  ":by": close.by,
                  ":closeId": close.closeId,
                },
                ReturnValues: "ALL_NEW",
              }),
            );
            closed = Attributes;
          },
          // Refused: closed by someone else, or by this close's own first attempt whose answer was lost.
          () => showsOwnWrite(this.client, this.tableName, key, { closeId: close.closeId }),
        );
        if (!applied) return undefined;
        return closed ? threadOf(closed) : this.get(threadId);
      },
      isDomainError,
    );
  }

  /** @inheritdoc */
  forgetUser(userId: number): Promise<void> {
    return guarded("handoff.forgetUser", async () => {
      const pointers = await queryAll(this.client, {
        TableName: this.tableName,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
        ExpressionAttributeNames: { "#pk": pk, "#sk": sk },
        ExpressionAttributeValues: { ":pk": `USER#${userId}`, ":prefix": handoffKeys.pointerPrefix },
        ConsistentRead: true,
      });
      const keys: Record<string, unknown>[] = [];
      for (const pointer of pointers) {
        const threadId = String(pointer.threadId);
        const { Item } = await this.client.send(
          new GetCommand({
            TableName: this.tableName,
            Key: handoffKeys.thread(threadId),
            ConsistentRead: true,
          }),
        );
        if (Item) {
          const thread = threadOf(Item);
          for (const messageId of new Set(thread.supportMessageIds))
            keys.push(handoffKeys.message(thread.supportChatId, messageId));
          keys.push(handoffKeys.thread(threadId));
        }
      }
      // The pointers last: a forget that fails half-way leaves them, so running it again finds the rest.
      await this.deleteAll(keys);
      await this.deleteAll(pointers.map((pointer) => ({ [pk]: pointer[pk], [sk]: pointer[sk] })));
    });
  }

  /** DeleteItem, a few at a time: the one delete action the rest of /forget needs too (no BatchWriteItem). */
  private async deleteAll(keys: Record<string, unknown>[]): Promise<void> {
    for (let start = 0; start < keys.length; start += deletesAtOnce)
      await Promise.all(
        keys
          .slice(start, start + deletesAtOnce)
          .map((Key) => this.client.send(new DeleteCommand({ TableName: this.tableName, Key }))),
      );
  }
}

/** The thread of a stored item, bookkeeping attributes stripped. */
function threadOf(item: Record<string, unknown>): HandoffThread {
  const {
    [pk]: _pk,
    [sk]: _sk,
    [ttl]: _ttl,
    closeId: _closeId,
    ...thread
  } = item as Record<string, unknown> & HandoffThread;
  return {
    ...(thread as unknown as HandoffThread),
    supportMessageIds: (thread.supportMessageIds as number[]) ?? [],
  };
}
