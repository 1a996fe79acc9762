/** A whole-table scan for what `forgetUser` must leave behind: nothing naming the user or their threads. */
import { type DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";

/** `pk/sk` of every item whose JSON mentions the user id (as a number or in a key) or one of the thread ids. */
export async function tableLeftovers(
  client: DynamoDBDocumentClient,
  tableName: string,
  userId: number,
  threadIds: string[],
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
    for (const item of page.Items ?? []) {
      const json = JSON.stringify(item);
      const mentions =
        new RegExp(`(^|[^0-9])${userId}([^0-9]|$)`).test(json) || threadIds.some((id) => json.includes(id));
      if (mentions) found.push(`${item.pk}/${item.sk}`);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}
