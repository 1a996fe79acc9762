/**
 * One-off, for a bot deployed before the `responses` index existed: gives every stored questionnaire submission
 * the index attributes (`responsesPk`, `responsesSk`) that `answers.save` now writes, so `/results`, `/export`
 * and the admin API see the old responses too. Scans the table (run it once, from a laptop with the operator's
 * credentials: it needs dynamodb:Scan and dynamodb:UpdateItem, which no function has), and is safe to re-run:
 * each update is conditioned on the item still existing and not being indexed yet.
 *
 *   TABLE_NAME=<table> [AWS_REGION=...] [DYNAMODB_ENDPOINT=http://127.0.0.1:8000] npx tsx scripts/backfill-responses-index.ts
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { responsesIndexAttributes } from "../bot/storage/dynamodb-responses";
import type { QuestionnaireSubmission } from "../bot/storage/port";

/** What a backfill did. */
export interface BackfillResult {
  /** Submissions that got the index attributes. */
  indexed: number;
  /** Submissions that got them meanwhile (from a concurrent save or run) or were deleted: left alone. */
  skipped: number;
}

/** Indexes every submission of `tableName` that lacks the `responses` attributes. */
export async function backfillResponsesIndex(
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<BackfillResult> {
  const result: BackfillResult = { indexed: 0, skipped: 0 };
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: "begins_with(#sk, :answers) AND attribute_not_exists(#rpk)",
        ProjectionExpression: "#pk, #sk, questionnaireId, submittedAt, userId, runId",
        ExpressionAttributeNames: { "#pk": "pk", "#sk": "sk", "#rpk": "responsesPk" },
        ExpressionAttributeValues: { ":answers": "ANSWERS#" },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const attributes = responsesIndexAttributes(item as unknown as QuestionnaireSubmission);
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: "SET #rpk = :rpk, #rsk = :rsk",
            ConditionExpression: "attribute_exists(#pk) AND attribute_not_exists(#rpk)",
            ExpressionAttributeNames: { "#pk": "pk", "#rpk": "responsesPk", "#rsk": "responsesSk" },
            ExpressionAttributeValues: { ":rpk": attributes.responsesPk, ":rsk": attributes.responsesSk },
          }),
        );
        result.indexed++;
      } catch (error) {
        if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
        result.skipped++;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return result;
}

if (require.main === module) {
  const tableName = process.env.TABLE_NAME;
  if (!tableName) {
    console.error("Set TABLE_NAME to the bot's table (`pulumi stack output tableName`).");
    process.exit(2);
  }
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient(endpoint ? { endpoint, region: process.env.AWS_REGION ?? "local" } : {}),
  );
  backfillResponsesIndex(client, tableName).then(
    ({ indexed, skipped }) =>
      console.log(`Indexed ${indexed} submissions (${skipped} already indexed or gone).`),
    (error: unknown) => {
      console.error(`Backfill failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
