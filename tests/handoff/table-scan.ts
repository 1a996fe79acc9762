/** A whole-table scan for what `forgetUser` must leave behind: nothing naming the user or their threads. */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { scanTable } from "../helpers/dynamo";

/** `pk/sk` of every item whose JSON mentions the user id (as a number or in a key) or one of the thread ids. */
export async function tableLeftovers(
  client: DynamoDBDocumentClient,
  tableName: string,
  userId: number,
  threadIds: string[],
): Promise<string[]> {
  const userPattern = new RegExp(`(^|[^0-9])${userId}([^0-9]|$)`);
  return (await scanTable(client, tableName))
    .filter((item) => {
      const json = JSON.stringify(item);
      return userPattern.test(json) || threadIds.some((id) => json.includes(id));
    })
    .map((item) => `${item.pk}/${item.sk}`);
}
