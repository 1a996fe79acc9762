/**
 * The broadcast store's part of /forget (port.ts `forgetUser`): one Query per month of the broadcast listing
 * (2-3), then per broadcast one DeleteItem of `R#<userId>` (the key is known: the shard is the user's audience
 * shard), one Query of the shard's plan parts (keys and recipients only) and one UpdateItem per part that
 * lists the user.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DeleteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { tableDefinition } from "../../../contracts/table";
import { queryAll } from "../../storage/dynamodb-client";
import { audienceShardOf } from "../../storage/shared";
import { broadcastKeys } from "./dynamodb-keys";
import { forgetLookbackDays } from "./port";

const pk = tableDefinition.partitionKey;
const sk = tableDefinition.sortKey;

/** Broadcasts whose items /forget deletes at once. */
const forgetConcurrency = 8;

/** The months (`YYYY-MM`, UTC) from `from` to `to`, oldest first. */
function monthsBetween(from: Date, to: Date): string[] {
  const months: string[] = [];
  const cursor = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
  while (cursor.getTime() <= to.getTime()) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return months;
}

/** The table, and the time the lookback counts from. */
interface ForgetContext {
  client: DynamoDBDocumentClient;
  tableName: string;
  now: Date;
}

/** Deletes the user's recipient items and plan entries in the broadcasts of the last {@link forgetLookbackDays}. */
export async function forgetRecipient(context: ForgetContext, userId: number): Promise<void> {
  const { client, tableName, now } = context;
  const from = new Date(now.getTime() - forgetLookbackDays * 24 * 3600 * 1000);
  const shard = audienceShardOf(userId);
  for (const month of monthsBetween(from, now)) {
    const listed = await queryAll(client, {
      TableName: tableName,
      KeyConditionExpression: "#pk = :pk AND #sk >= :from",
      ExpressionAttributeNames: { "#pk": pk, "#sk": sk, "#id": "id" },
      ExpressionAttributeValues: { ":pk": `BROADCASTS#${month}`, ":from": from.toISOString() },
      ProjectionExpression: "#id",
    });
    // A few broadcasts at a time: /forget runs inside the webhook's few seconds.
    for (let start = 0; start < listed.length; start += forgetConcurrency)
      await Promise.all(
        listed
          .slice(start, start + forgetConcurrency)
          .map(({ id }) => forgetInBroadcast(context, String(id), shard, userId)),
      );
  }
}

async function forgetInBroadcast(
  { client, tableName }: ForgetContext,
  id: string,
  shard: number,
  userId: number,
): Promise<void> {
  await client.send(
    new DeleteCommand({ TableName: tableName, Key: broadcastKeys.recipient(id, shard, userId) }),
  );
  const plans = await queryAll(client, {
    TableName: tableName,
    KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
    ExpressionAttributeNames: { "#pk": pk, "#sk": sk, "#recipients": "recipients" },
    ExpressionAttributeValues: { ":pk": broadcastKeys.shardPartition(id, shard), ":prefix": "PLAN#" },
    ProjectionExpression: "#pk, #sk, #recipients",
  });
  for (const plan of plans) {
    const recipients = plan.recipients as [number, number][];
    if (!recipients.some(([recipient]) => recipient === userId)) continue;
    // Only recorded parts are read back later, for their cursor; their batches were cut and queued already.
    await client
      .send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [pk]: plan[pk], [sk]: plan[sk] },
          UpdateExpression: "SET #recipients = :recipients",
          ConditionExpression: "attribute_exists(#pk)",
          ExpressionAttributeNames: { "#pk": pk, "#recipients": "recipients" },
          ExpressionAttributeValues: {
            ":recipients": recipients.filter(([recipient]) => recipient !== userId),
          },
        }),
      )
      .catch((error: unknown) => {
        if ((error as Error).name !== "ConditionalCheckFailedException") throw error; // expired meanwhile
      });
  }
}
