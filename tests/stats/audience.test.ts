/** The audience counters (bot/stats/audience.ts) on the in-memory storage and on dynalite. */
import { DynamoAudienceCounter, PagedAudienceCounter } from "../../bot/stats/audience";
import { createDynamoStorage } from "../../bot/storage/dynamodb";
import { createMemoryStorage } from "../../bot/storage/memory";
import { startDynalite, tablesPerTest } from "../helpers/dynamo";
import { describeAudienceCounterContract } from "./audience-contract";

describeAudienceCounterContract("paging the in-memory user store", async () => {
  const { users } = createMemoryStorage();
  return { counter: new PagedAudienceCounter(users, 3), users, teardown: async () => {} };
});

const tables = tablesPerTest(startDynalite, "audience");

describeAudienceCounterContract("COUNT queries on dynalite", async () => {
  const { dynamo, tableName } = await tables.fresh();
  const { users } = createDynamoStorage({ client: dynamo.documentClient, tableName });
  return {
    counter: new DynamoAudienceCounter({ client: dynamo.documentClient, tableName, pageLimit: 3 }),
    users,
    teardown: async () => {},
  };
});
