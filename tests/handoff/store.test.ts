/** The handoff store contract on the in-memory twin and on dynalite (tests/handoff/store-contract.ts). */
import { DynamoHandoffStore } from "../../bot/handoff/store/dynamodb";
import { MemoryHandoffStore } from "../../bot/handoff/store/memory";
import { ensureTable } from "../../bot/storage/dynamodb-table";
import { type LocalDynamo, startDynalite } from "../helpers/dynamo";
import { describeHandoffStoreContract } from "./store-contract";
import { tableLeftovers } from "./table-scan";

describeHandoffStoreContract("in-memory twin", async () => ({
  handoff: new MemoryHandoffStore(),
  teardown: async () => {},
}));

let dynamo: LocalDynamo;
let tables = 0;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

describeHandoffStoreContract("DynamoDB adapter on dynalite", async () => {
  const tableName = `handoff-${++tables}`;
  await ensureTable(dynamo.client, tableName);
  return {
    handoff: new DynamoHandoffStore({ client: dynamo.documentClient, tableName }),
    leftovers: (userId, threadIds) => tableLeftovers(dynamo.documentClient, tableName, userId, threadIds),
    teardown: async () => {},
  };
});
