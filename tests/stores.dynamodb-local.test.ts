/**
 * The broadcast, tip, handoff and inbox store contracts and the audience counts against Amazon's own DynamoDB Local (stricter than dynalite). Not part
 * of `npm test`: run it with `npm run test:dynamodb-local` (needs Java 17). One server, a fresh table per test.
 */
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { DynamoBroadcastStore } from "../bot/broadcast/store/dynamodb";
import { DynamoHandoffStore } from "../bot/handoff/store/dynamodb";
import { DynamoInboxStore } from "../bot/inbox/store/dynamodb";
import { DynamoTipStore } from "../bot/recommendations/store/dynamodb";
import { DynamoAudienceCounter } from "../bot/stats/audience";
import { createDynamoStorage } from "../bot/storage/dynamodb";
import { ensureTable } from "../bot/storage/dynamodb-table";
import { describeBroadcastStoreContract } from "./broadcast/store-contract";
import { describeHandoffStoreContract } from "./handoff/store-contract";
import { tableLeftovers } from "./handoff/table-scan";
import { FakeClock } from "./helpers/clock";
import { type LocalDynamo, startDynamoDbLocal } from "./helpers/dynamo";
import { describeInboxStoreContract } from "./inbox/store-contract";
import { tracesOfUser } from "./inbox/traces";
import { describeTipStoreContract } from "./recommendations/store-contract";
import { describeAudienceCounterContract } from "./stats/audience-contract";

let dynamo: LocalDynamo;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
});

afterAll(async () => {
  await dynamo?.stop();
});

/** A fresh table, and the teardown that drops it. */
async function freshTable(): Promise<{ tableName: string; teardown(): Promise<void> }> {
  const tableName = `stores-${++tables}`;
  await ensureTable(dynamo.client, tableName);
  return {
    tableName,
    teardown: async () => {
      await dynamo.client.send(new DeleteTableCommand({ TableName: tableName }));
    },
  };
}

describeBroadcastStoreContract("DynamoDB adapter on DynamoDB Local", async () => {
  const { tableName, teardown } = await freshTable();
  return {
    store: new DynamoBroadcastStore({ client: dynamo.documentClient, tableName, queryCounters: true }),
    teardown,
  };
});

describeTipStoreContract("DynamoDB adapter on DynamoDB Local", async () => {
  const { tableName, teardown } = await freshTable();
  const clock = new FakeClock();
  return { tips: new DynamoTipStore({ client: dynamo.documentClient, tableName, clock }), clock, teardown };
});

describeAudienceCounterContract("COUNT queries on DynamoDB Local", async () => {
  const { tableName, teardown } = await freshTable();
  const { users } = createDynamoStorage({ client: dynamo.documentClient, tableName });
  return {
    counter: new DynamoAudienceCounter({ client: dynamo.documentClient, tableName, pageLimit: 3 }),
    users,
    teardown,
  };
});

describeHandoffStoreContract("DynamoDB adapter on DynamoDB Local", async () => {
  const { tableName, teardown } = await freshTable();
  return {
    handoff: new DynamoHandoffStore({ client: dynamo.documentClient, tableName }),
    leftovers: (userId, threadIds) => tableLeftovers(dynamo.documentClient, tableName, userId, threadIds),
    teardown,
  };
});

describeInboxStoreContract("DynamoDB adapter on DynamoDB Local", async () => {
  const { tableName, teardown } = await freshTable();
  const clock = new FakeClock();
  return {
    inbox: new DynamoInboxStore({ client: dynamo.documentClient, tableName, clock, retentionDays: 90 }),
    clock,
    traces: (userId) => tracesOfUser(dynamo.documentClient, tableName, userId),
    teardown,
  };
});
