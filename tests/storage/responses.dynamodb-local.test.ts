/**
 * The responses contract against Amazon's own DynamoDB Local (stricter than dynalite). Not part of `npm test`:
 * run it with `npm run test:dynamodb-local` (needs Java 17). One server for the file, a fresh table per test.
 */
import { createDynamoStorage } from "../../bot/storage/dynamodb";
import { startDynamoDbLocal, tablesPerTest } from "../helpers/dynamo";
import { describeResponsesContract } from "./responses-contract";

const tables = tablesPerTest(startDynamoDbLocal, "responses");

describeResponsesContract("DynamoDB adapter on DynamoDB Local", async () => {
  const { dynamo, tableName, drop } = await tables.fresh();
  return {
    answers: createDynamoStorage({ client: dynamo.documentClient, tableName }).answers,
    breakBackend: drop,
    teardown: drop,
  };
});
