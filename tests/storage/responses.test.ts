/** The responses contract (tests/storage/responses-contract.ts) on the in-memory twin and on dynalite. */
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { createDynamoStorage } from "../../bot/storage/dynamodb";
import { createMemoryStorage } from "../../bot/storage/memory";
import { startDynalite } from "../helpers/dynamo";
import { describeResponsesContract } from "./responses-contract";

describeResponsesContract("in-memory twin", async () => {
  const storage = createMemoryStorage();
  return {
    answers: storage.answers,
    breakBackend: async () => storage.simulateOutage(new Error("network down")),
    teardown: async () => {},
  };
});

describeResponsesContract("DynamoDB adapter on dynalite", async () => {
  const dynamo = await startDynalite();
  return {
    answers: createDynamoStorage({ client: dynamo.documentClient, tableName: dynamo.tableName }).answers,
    breakBackend: async () => {
      await dynamo.client.send(new DeleteTableCommand({ TableName: dynamo.tableName }));
    },
    teardown: () => dynamo.stop(),
  };
});
