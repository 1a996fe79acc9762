/** The inbox store contract on the in-memory twin and on dynalite (tests/inbox/store-contract.ts). */
import { DynamoInboxStore } from "../../bot/inbox/store/dynamodb";
import { MemoryInboxStore } from "../../bot/inbox/store/memory";
import { FakeClock } from "../helpers/clock";
import { startDynalite, tablesPerTest } from "../helpers/dynamo";
import { describeInboxStoreContract } from "./store-contract";
import { tracesOfUser } from "./traces";

describeInboxStoreContract("in-memory twin", async () => {
  const clock = new FakeClock();
  const inbox = new MemoryInboxStore({ clock, retentionDays: 90 });
  return {
    inbox,
    clock,
    traces: async (userId) => {
      const page = await inbox.list({ limit: 100 });
      return page.entries.filter((entry) => inbox.contributorsOf(entry.id).includes(userId)).map((e) => e.id);
    },
    teardown: async () => {},
  };
});

const tables = tablesPerTest(startDynalite, "inbox");

describeInboxStoreContract("DynamoDB adapter on dynalite", async () => {
  const { dynamo, tableName } = await tables.fresh();
  const clock = new FakeClock();
  return {
    inbox: new DynamoInboxStore({ client: dynamo.documentClient, tableName, clock, retentionDays: 90 }),
    clock,
    traces: (userId) => tracesOfUser(dynamo.documentClient, tableName, userId),
    teardown: async () => {},
  };
});
