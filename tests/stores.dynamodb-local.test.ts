/**
 * The broadcast, tip, handoff and inbox store contracts and the audience counts against Amazon's own DynamoDB Local (stricter than dynalite). Not part
 * of `npm test`: run it with `npm run test:dynamodb-local` (needs Java 17). One server, a fresh table per test.
 */
import { DynamoBroadcastStore } from "../bot/broadcast/store/dynamodb";
import { DynamoHandoffStore } from "../bot/handoff/store/dynamodb";
import { DynamoInboxStore } from "../bot/inbox/store/dynamodb";
import { DynamoTipStore } from "../bot/recommendations/store/dynamodb";
import { DynamoAudienceCounter } from "../bot/stats/audience";
import { createDynamoStorage } from "../bot/storage/dynamodb";
import { describeBroadcastStoreContract } from "./broadcast/store-contract";
import { describeHandoffStoreContract } from "./handoff/store-contract";
import { tableLeftovers } from "./handoff/table-scan";
import { FakeClock } from "./helpers/clock";
import { startDynamoDbLocal, tablesPerTest } from "./helpers/dynamo";
import { describeInboxStoreContract } from "./inbox/store-contract";
import { tracesOfUser } from "./inbox/traces";
import { describeTipStoreContract } from "./recommendations/store-contract";
import { describeAudienceCounterContract } from "./stats/audience-contract";

const tables = tablesPerTest(startDynamoDbLocal, "stores");

describeBroadcastStoreContract("DynamoDB adapter on DynamoDB Local", async () => {
  const { dynamo, tableName, drop: teardown } = await tables.fresh();
  return {
    store: new DynamoBroadcastStore({ client: dynamo.documentClient, tableName, queryCounters: true }),
    teardown,
  };
});

describeTipStoreContract("DynamoDB adapter on DynamoDB Local", async () => {
  const { dynamo, tableName, drop: teardown } = await tables.fresh();
  const clock = new FakeClock();
  return { tips: new DynamoTipStore({ client: dynamo.documentClient, tableName, clock }), clock, teardown };
});

describeAudienceCounterContract("COUNT queries on DynamoDB Local", async () => {
  const { dynamo, tableName, drop: teardown } = await tables.fresh();
  const { users } = createDynamoStorage({ client: dynamo.documentClient, tableName });
  return {
    counter: new DynamoAudienceCounter({ client: dynamo.documentClient, tableName, pageLimit: 3 }),
    users,
    teardown,
  };
});

describeHandoffStoreContract("DynamoDB adapter on DynamoDB Local", async () => {
  const { dynamo, tableName, drop: teardown } = await tables.fresh();
  return {
    handoff: new DynamoHandoffStore({ client: dynamo.documentClient, tableName }),
    leftovers: (userId, threadIds) => tableLeftovers(dynamo.documentClient, tableName, userId, threadIds),
    teardown,
  };
});

describeInboxStoreContract("DynamoDB adapter on DynamoDB Local", async () => {
  const { dynamo, tableName, drop: teardown } = await tables.fresh();
  const clock = new FakeClock();
  return {
    inbox: new DynamoInboxStore({ client: dynamo.documentClient, tableName, clock, retentionDays: 90 }),
    clock,
    traces: (userId) => tracesOfUser(dynamo.documentClient, tableName, userId),
    teardown,
  };
});
