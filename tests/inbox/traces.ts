/** Finds what a table still holds of a user: every attribute whose name or value names the user id (a Scan). */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { scanTable } from "../helpers/dynamo";

/** `pk/sk: attribute` for every attribute of every item that names `userId` (name `u<id>`, or the id as value). */
export async function tracesOfUser(
  client: DynamoDBDocumentClient,
  tableName: string,
  userId: number,
): Promise<string[]> {
  const found: string[] = [];
  for (const item of await scanTable(client, tableName))
    for (const [name, value] of Object.entries(item))
      if (name === `u${userId}` || value === userId || value === String(userId))
        found.push(`${String(item.pk)}/${String(item.sk)}: ${name}`);
  return found;
}
