import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { createDynamoStorage } from "../../bot/storage/dynamodb";
import { startDynalite } from "../helpers/dynamo";
import { describeStorageContract, FakeClock } from "./contract";

describeStorageContract("DynamoDB adapter on dynalite", async () => {
  const dynamo = await startDynalite();
  const clock = new FakeClock();
  return {
    storage: createDynamoStorage({ client: dynamo.documentClient, tableName: dynamo.tableName, clock }),
    clock,
    breakBackend: async () => {
      await dynamo.client.send(new DeleteTableCommand({ TableName: dynamo.tableName }));
    },
    teardown: () => dynamo.stop(),
  };
});
