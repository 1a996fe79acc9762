/** The tip store contract on the in-memory twin and on dynalite (tests/recommendations/store-contract.ts). */
import { DynamoTipStore } from "../../bot/recommendations/store/dynamodb";
import { MemoryTipStore } from "../../bot/recommendations/store/memory";
import { FakeClock } from "../helpers/clock";
import { startDynalite, tablesPerTest } from "../helpers/dynamo";
import { describeTipStoreContract } from "./store-contract";

describeTipStoreContract("in-memory twin", async () => {
  const clock = new FakeClock();
  return { tips: new MemoryTipStore({ clock }), clock, teardown: async () => {} };
});

const tables = tablesPerTest(startDynalite, "tips");

describeTipStoreContract("DynamoDB adapter on dynalite", async () => {
  const { dynamo, tableName } = await tables.fresh();
  const clock = new FakeClock();
  return {
    tips: new DynamoTipStore({ client: dynamo.documentClient, tableName, clock }),
    clock,
    teardown: async () => {},
  };
});
