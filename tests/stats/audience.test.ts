/** The audience counters (bot/stats/audience.ts) on the in-memory storage and on dynalite. */
import { DynamoAudienceCounter, PagedAudienceCounter } from "../../bot/stats/audience";
import { createDynamoStorage } from "../../bot/storage/dynamodb";
import { ensureTable } from "../../bot/storage/dynamodb-table";
import { createMemoryStorage } from "../../bot/storage/memory";
import { type LocalDynamo, startDynalite } from "../helpers/dynamo";
import { describeAudienceCounterContract } from "./audience-contract";

describeAudienceCounterContract("paging the in-memory user store", async () => {
  const { users } = createMemoryStorage();
  return { counter: new PagedAudienceCounter(users, 3), users, teardown: async () => {} };
});

let dynamo: LocalDynamo;
let tables = 0;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

describeAudienceCounterContract("COUNT queries on dynalite", async () => {
  const tableName = `audience-${++tables}`;
  await ensureTable(dynamo.client, tableName);
  const { users } = createDynamoStorage({ client: dynamo.documentClient, tableName });
  return {
    counter: new DynamoAudienceCounter({ client: dynamo.documentClient, tableName, pageLimit: 3 }),
    users,
    teardown: async () => {},
  };
});
