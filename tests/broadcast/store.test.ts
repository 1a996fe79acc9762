/** The broadcast store contract on the in-memory twin and on dynalite (tests/broadcast/store-contract.ts). */
import { DynamoBroadcastStore } from "../../bot/broadcast/store/dynamodb";
import { MemoryBroadcastStore } from "../../bot/broadcast/store/memory";
import { startDynalite, tablesPerTest } from "../helpers/dynamo";
import { describeBroadcastStoreContract } from "./store-contract";

describeBroadcastStoreContract("in-memory twin", async () => ({
  store: new MemoryBroadcastStore(),
  teardown: async () => {},
}));

const tables = tablesPerTest(startDynalite, "broadcasts");
/** Every other test queries the counters (the other path of the adapter). */
let suites = 0;

describeBroadcastStoreContract("DynamoDB adapter on dynalite", async () => {
  const { dynamo, tableName } = await tables.fresh();
  return {
    store: new DynamoBroadcastStore({
      client: dynamo.documentClient,
      tableName,
      queryCounters: ++suites % 2 === 0,
    }),
    teardown: async () => {},
  };
});
