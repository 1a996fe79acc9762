/** The broadcast store contract on the in-memory twin and on dynalite (tests/broadcast/store-contract.ts). */
import { DynamoBroadcastStore } from "../../bot/broadcast/store/dynamodb";
import { MemoryBroadcastStore } from "../../bot/broadcast/store/memory";
import { ensureTable } from "../../bot/storage/dynamodb-table";
import { type LocalDynamo, startDynalite } from "../helpers/dynamo";
import { describeBroadcastStoreContract } from "./store-contract";

describeBroadcastStoreContract("in-memory twin", async () => ({
  store: new MemoryBroadcastStore(),
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

describeBroadcastStoreContract("DynamoDB adapter on dynalite", async () => {
  const tableName = `broadcasts-${++tables}`;
  await ensureTable(dynamo.client, tableName);
  return {
    store: new DynamoBroadcastStore({
      client: dynamo.documentClient,
      tableName,
      queryCounters: tables % 2 === 0,
    }),
    teardown: async () => {},
  };
});
