/** The tip store contract on the in-memory twin and on dynalite (tests/recommendations/store-contract.ts). */
import { DynamoTipStore } from "../../bot/recommendations/store/dynamodb";
import { MemoryTipStore } from "../../bot/recommendations/store/memory";
import { ensureTable } from "../../bot/storage/dynamodb-table";
import { FakeClock } from "../helpers/clock";
import { type LocalDynamo, startDynalite } from "../helpers/dynamo";
import { describeTipStoreContract } from "./store-contract";

describeTipStoreContract("in-memory twin", async () => {
  const clock = new FakeClock();
  return { tips: new MemoryTipStore({ clock }), clock, teardown: async () => {} };
});

let dynamo: LocalDynamo;
let tables = 0;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

describeTipStoreContract("DynamoDB adapter on dynalite", async () => {
  const tableName = `tips-${++tables}`;
  await ensureTable(dynamo.client, tableName);
  const clock = new FakeClock();
  return {
    tips: new DynamoTipStore({ client: dynamo.documentClient, tableName, clock }),
    clock,
    teardown: async () => {},
  };
});
