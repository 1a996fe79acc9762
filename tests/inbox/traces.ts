/** Finds what a table still holds of a user: every attribute whose name or value names the user id (a Scan). */
import { type DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";

/** `pk/sk: attribute` for every attribute of every item that names `userId` (name `u<id>`, or the id as value). */
export async function tracesOfUser(
  client: DynamoDBDocumentClient,
  tableName: string,
  userId: number,
): Promise<string[]> {
  const found: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? [])
      for (const [name, value] of Object.entries(item))
        if (name === `u${userId}` || value === userId || value === String(userId))
          found.push(`${String(item.pk)}/${String(item.sk)}: ${name}`);
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}
