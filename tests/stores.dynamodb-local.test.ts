/**
 * The broadcast, tip and inbox store contracts against Amazon's own DynamoDB Local (stricter than dynalite). Not part
 * of `npm test`: run it with `npm run test:dynamodb-local` (needs Java 17). One server, a fresh table per test.
 */
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { DynamoBroadcastStore } from "../bot/broadcast/store/dynamodb";
import { DynamoInboxStore } from "../bot/inbox/store/dynamodb";
import { DynamoTipStore } from "../bot/recommendations/store/dynamodb";
import { ensureTable } from "../bot/storage/dynamodb-table";
import { describeBroadcastStoreContract } from "./broadcast/store-contract";
import { FakeClock } from "./helpers/clock";
import { type LocalDynamo, startDynamoDbLocal } from "./helpers/dynamo";
import { describeInboxStoreContract } from "./inbox/store-contract";
import { tracesOfUser } from "./inbox/traces";
import { describeTipStoreContract } from "./recommendations/store-contract";

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
