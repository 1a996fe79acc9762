/** The handoff store contract on the in-memory twin and on dynalite (tests/handoff/store-contract.ts). */
import { DynamoHandoffStore } from "../../bot/handoff/store/dynamodb";
import { MemoryHandoffStore } from "../../bot/handoff/store/memory";
import { startDynalite, tablesPerTest } from "../helpers/dynamo";
import { describeHandoffStoreContract } from "./store-contract";
import { tableLeftovers } from "./table-scan";

describeHandoffStoreContract("in-memory twin", async () => ({
  handoff: new MemoryHandoffStore(),
  teardown: async () => {},
}));

const tables = tablesPerTest(startDynalite, "handoff");

describeHandoffStoreContract("DynamoDB adapter on dynalite", async () => {
  const { dynamo, tableName } = await tables.fresh();
  return {
    handoff: new DynamoHandoffStore({ client: dynamo.documentClient, tableName }),
    leftovers: (userId, threadIds) => tableLeftovers(dynamo.documentClient, tableName, userId, threadIds),
    teardown: async () => {},
  };
});
