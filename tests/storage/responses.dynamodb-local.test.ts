/**
 * The responses contract against Amazon's own DynamoDB Local (stricter than dynalite). Not part of `npm test`:
 * run it with `npm run test:dynamodb-local` (needs Java 17). One server for the file, a fresh table per test.
 */
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { createDynamoStorage } from "../../bot/storage/dynamodb";
import { ensureTable } from "../../bot/storage/dynamodb-table";
import { type LocalDynamo, startDynamoDbLocal } from "../helpers/dynamo";
import { describeResponsesContract } from "./responses-contract";

let dynamo: LocalDynamo;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
});

afterAll(async () => {
  await dynamo?.stop();
});

async function dropTable(tableName: string): Promise<void> {
  try {
    await dynamo.client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof Error && error.name === "ResourceNotFoundException")) throw error;
  }
}

describeResponsesContract("DynamoDB adapter on DynamoDB Local", async () => {
  const tableName = `responses-${++tables}`;
  await ensureTable(dynamo.client, tableName);
  return {
    answers: createDynamoStorage({ client: dynamo.documentClient, tableName }).answers,
    breakBackend: () => dropTable(tableName),
    teardown: () => dropTable(tableName),
  };
});
