/**
 * Records admin broadcasts durably in the table (`BROADCAST#<id>` / `META`, status `queued`). The id is
 * derived from the request id, so recording the same request twice (a retried update) keeps one broadcast.
 */
import { createHash } from "node:crypto";
import { type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { tableDefinition } from "../../contracts/table";
import { type BroadcastQueue, type BroadcastRequest, StorageError } from "../ports";

/** The broadcast id for a request id: stable, short, URL-safe. */
export function broadcastIdFor(requestId: string): string {
  return createHash("sha256").update(requestId).digest("base64url").slice(0, 16);
}

/** {@link BroadcastQueue} over DynamoDB; delivery reads the recorded broadcasts. */
export class DynamoBroadcastQueue implements BroadcastQueue {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: { now(): Date } = { now: () => new Date() },
  ) {}

  async enqueue(request: BroadcastRequest): Promise<{ id: string }> {
    const id = broadcastIdFor(request.requestId);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [tableDefinition.partitionKey]: `BROADCAST#${id}`,
            [tableDefinition.sortKey]: "META",
            id,
            status: "queued",
            request,
            createdAt: this.clock.now().toISOString(),
          },
          ConditionExpression: "attribute_not_exists(#pk)",
          ExpressionAttributeNames: { "#pk": tableDefinition.partitionKey },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== "ConditionalCheckFailedException")
        throw new StorageError("enqueue broadcast", { cause: error });
    }
    return { id };
  }
}
