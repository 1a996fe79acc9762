/**
 * What the contract suite cannot see: the DynamoDB adapter's request budget, its item layout (as documented in
 * docs/data-model.md), its error translation and the table helper. Runs on dynalite.
 */
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { createDynamoStorage } from "../../bot/storage/dynamodb";
import { ensureTable, TableLayoutMismatchError } from "../../bot/storage/dynamodb-table";
import { InvalidStorageArgumentError } from "../../bot/storage/errors";
import { ChatStateConflictError, StorageError } from "../../bot/storage/port";
import { countRequests } from "../../bot/storage/request-counter";
import { createTableInput } from "../../contracts/table";
import { startAnswerLosingProxy } from "../helpers/answer-losing-proxy";
import { type LocalDynamo, localClient, startDynalite } from "../helpers/dynamo";
import { aProfile, aSubmission, FakeClock } from "./contract";

let dynamo: LocalDynamo;
let clock: FakeClock;

beforeEach(async () => {
  dynamo = await startDynalite();
  clock = new FakeClock("2025-01-01T08:00:00.000Z");
});

afterEach(async () => {
  await dynamo.stop();
});

function storage() {
  return createDynamoStorage({ client: dynamo.documentClient, tableName: dynamo.tableName, clock });
}

async function rawItem(pk: string, sk: string) {
  const { Item } = await dynamo.documentClient.send(
    new GetCommand({
      TableName: dynamo.tableName,
      Key: { pk, sk },
      ConsistentRead: true,
    }),
  );
  return Item;
}

describe("request budget", () => {
  it("handles a plain text message with 1 GetItem and 1 PutItem", async () => {
    // Prepare
    const { chats } = storage();
    await chats.save(42, { recentUpdateIds: [1] }, 0);
    const counter = countRequests(dynamo.documentClient);

    // Act: what the webhook does for one text message
    const loaded = await chats.load(42);
    await chats.save(42, { recentUpdateIds: [1, 2] }, loaded?.version ?? 0);

    // Assess
    expect(counter.byCommand).toEqual({ GetItem: 1, PutItem: 1 });
    expect(counter.attemptsByCommand).toEqual({ GetItem: 1, PutItem: 1 });
    expect(counter.total()).toBe(2);
    counter.dispose();
  });

  it("updates a field outside the tip index with one UpdateItem, and a tip field with a read and an update", async () => {
    // Prepare
    const { users } = storage();
    await users.createIfMissing(aProfile(1));
    const counter = countRequests(dynamo.documentClient);

    // Act
    await users.update(1, { language: "vi" });
    const afterPlainUpdate = { ...counter.byCommand };
    counter.reset();
    await users.update(1, { subscribed: true, tipHour: 8 });

    // Assess
    expect(afterPlainUpdate).toEqual({ UpdateItem: 1 });
    expect(counter.byCommand).toEqual({ GetItem: 1, UpdateItem: 1 });
    counter.dispose();
  });

  it("claims with one conditional PutItem (a refused one reads once more) and stops counting once disposed", async () => {
    // Prepare
    const { processedUpdates } = storage();
    const counter = countRequests(dynamo.documentClient);

    // Act
    await processedUpdates.claim("callback:1", 60);
    await processedUpdates.claim("callback:1", 60);
    counter.dispose();
    await processedUpdates.claim("callback:2", 60);

    // Assess
    // The refused second claim reads the claim once: is it this claim's own landed write, or another's?
    expect(counter.byCommand).toEqual({ PutItem: 2, GetItem: 1 });
  });
});

describe("item layout (docs/data-model.md)", () => {
  it("stores chat state at CHAT#<chatId> / STATE with version, state and updatedAt", async () => {
    // Act
    await storage().chats.save(-100, { language: "en", recentUpdateIds: [5] }, 0);

    // Assess
    expect(await rawItem("CHAT#-100", "STATE")).toEqual({
      pk: "CHAT#-100",
      sk: "STATE",
      version: 1,
      state: { language: "en", recentUpdateIds: [5] },
      writeId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      updatedAt: "2025-01-01T08:00:00.000Z",
    });
  });

  it("keeps the sparse tipsDue attributes only while the user is due, and the audience ones always", async () => {
    // Prepare
    const { users } = storage();
    await users.createIfMissing(aProfile(17, { subscribed: true, tipHour: 7 }));
    const created = await rawItem("USER#17", "PROFILE");

    // Act
    await users.update(17, { blocked: true });
    const blocked = await rawItem("USER#17", "PROFILE");

    // Assess
    expect(created).toMatchObject({
      audiencePk: "AUD#01",
      audienceSk: "USER#17",
      tipsPk: "TIP#07",
      tipsSk: "USER#17",
      version: 1,
    });
    expect(blocked).toMatchObject({ audiencePk: "AUD#01", audienceSk: "USER#17", blocked: true, version: 2 });
    expect(blocked).not.toHaveProperty("tipsPk");
    expect(blocked).not.toHaveProperty("tipsSk");
  });

  it("stores answers under the user and claims with an epoch-seconds expiresAt", async () => {
    // Act
    await storage().answers.save(aSubmission({ userId: 7, questionnaireId: "profile", runId: "r1" }));
    await storage().processedUpdates.claim("inline:9", 3600);

    // Assess
    expect(await rawItem("USER#7", "ANSWERS#profile#2025-01-01T08:00:00.000Z#r1")).toMatchObject({
      runId: "r1",
    });
    expect(await rawItem("CLAIM#inline:9", "CLAIM")).toEqual({
      pk: "CLAIM#inline:9",
      sk: "CLAIM",
      expiresAt: Date.parse("2025-01-01T09:00:00.000Z") / 1000,
      writeId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });
});

describe("concurrent profile updates", () => {
  it("leaves the tip index consistent with the profile when updates race", async () => {
    // Prepare
    const { users } = storage();
    await users.createIfMissing(aProfile(3, { subscribed: true, tipHour: 8 }));

    // Act
    await Promise.all([
      users.update(3, { subscribed: false }),
      users.update(3, { tipHour: 9 }),
      users.update(3, { blocked: true }),
      users.update(3, { subscribed: true }),
      users.update(3, { level: "B2" }),
    ]);

    // Assess
    const profile = await users.get(3);
    const item = await rawItem("USER#3", "PROFILE");
    const due = profile?.subscribed && !profile.blocked;
    expect(profile).toMatchObject({ tipHour: 9, blocked: true, level: "B2" });
    expect(item?.tipsPk).toBe(due ? "TIP#09" : undefined);
    expect(item?.version).toBe(6);
  });
});

describe("errors", () => {
  it("wraps a stopped server in StorageError with the vendor error as cause", async () => {
    // Prepare
    const client = localClient(dynamo.endpoint, 1);
    const { chats } = createDynamoStorage({
      client,
      tableName: dynamo.tableName,
    });
    await dynamo.stop();

    // Act
    const load = chats.load(1);

    // Assess
    await expect(load).rejects.toBeInstanceOf(StorageError);
    await expect(load).rejects.toThrow(/chats\.load/);
    await expect(load).rejects.toThrow(/ECONNREFUSED/);
    await expect(load).rejects.toHaveProperty("cause");
    client.destroy();
  });

  it("wraps a missing table in StorageError", async () => {
    // Prepare
    const { users } = createDynamoStorage({ client: dynamo.documentClient, tableName: "no-such-table" });

    // Act
    const get = users.get(1);

    // Assess
    await expect(get).rejects.toBeInstanceOf(StorageError);
    await expect(get).rejects.toHaveProperty("cause.name", "ResourceNotFoundException");
  });

  it("refuses to build a storage without a table name", () => {
    // Act
    const build = () => createDynamoStorage({ client: dynamo.documentClient, tableName: "" });

    // Assess
    expect(build).toThrow(InvalidStorageArgumentError);
  });
});

describe("a chat save whose answer is lost", () => {
  it("succeeds when the client's retry finds the put already landed, instead of reporting a conflict", async () => {
    // Prepare
    const proxy = await startAnswerLosingProxy(dynamo.endpoint);
    const client = localClient(proxy.endpoint);
    const viaProxy = createDynamoStorage({ client, tableName: dynamo.tableName, clock });
    await viaProxy.chats.save(1, { recentUpdateIds: [1] }, 0);
    const counter = countRequests(client);
    proxy.loseNextAnswer((operation) => operation === "PutItem");

    try {
      // Act
      const version = await viaProxy.chats.save(1, { recentUpdateIds: [1, 2] }, 1);

      // Assess: the put was sent twice (the retry refused by its own write), then one read settled it
      expect(version).toBe(2);
      expect(proxy.lost()).toBe(1);
      expect(counter.attemptsByCommand).toEqual({ PutItem: 2, GetItem: 1 });
      expect(await viaProxy.chats.load(1)).toEqual({ state: { recentUpdateIds: [1, 2] }, version: 2 });
    } finally {
      counter.dispose();
      client.destroy();
      await proxy.stop();
    }
  });

  it("keeps a processed-update claim whose answer was lost, and still refuses a second claimant", async () => {
    // Prepare
    const proxy = await startAnswerLosingProxy(dynamo.endpoint);
    const client = localClient(proxy.endpoint);
    const viaProxy = createDynamoStorage({ client, tableName: dynamo.tableName, clock });
    proxy.loseNextAnswer((operation) => operation === "PutItem");

    try {
      // Act
      const claimed = await viaProxy.processedUpdates.claim("update:77", 3600);
      const again = await storage().processedUpdates.claim("update:77", 3600);

      // Assess
      expect(proxy.lost()).toBe(1);
      expect(claimed).toBe(true);
      expect(again).toBe(false);
    } finally {
      client.destroy();
      await proxy.stop();
    }
  });

  it("still reports a conflict when another handler of the same update wrote first", async () => {
    // Prepare: two handlers of one re-sent update, both from version 1, producing the same state
    await storage().chats.save(1, { recentUpdateIds: [1] }, 0);
    await storage().chats.save(1, { recentUpdateIds: [1, 2] }, 1);

    // Act
    const second = storage().chats.save(1, { recentUpdateIds: [1, 2] }, 1);

    // Assess: the loser must not send its replies
    await expect(second).rejects.toBeInstanceOf(ChatStateConflictError);
  });
});

describe("ensureTable", () => {
  it("leaves an existing table alone", async () => {
    // Prepare
    await storage().chats.save(1, { recentUpdateIds: [] }, 0);
    const counter = countRequests(dynamo.client);

    // Act
    await ensureTable(dynamo.client, dynamo.tableName);

    // Assess
    expect(counter.byCommand).toEqual({ DescribeTable: 2 });
    expect(await storage().chats.load(1)).toBeDefined();
    counter.dispose();
  });

  it("refuses a table made by an older layout without the indexes", async () => {
    // Prepare
    const client = dynamo.client;
    const legacyTable = `${dynamo.tableName}-legacy`;
    await client.send(
      new CreateTableCommand({
        TableName: legacyTable,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
      }),
    );

    // Act
    const ensure = ensureTable(client, legacyTable);

    // Assess
    await expect(ensure).rejects.toBeInstanceOf(TableLayoutMismatchError);
    await expect(ensure).rejects.toThrow(/audience, tipsDue/);
  });

  it("rebuilds a local table of an older layout with its items when asked (npm start's data folder)", async () => {
    // Prepare: a table with every index but the newest, holding a profile
    const client = dynamo.client;
    const olderTable = `${dynamo.tableName}-older`;
    const input = createTableInput(olderTable);
    await client.send(
      new CreateTableCommand({
        ...input,
        GlobalSecondaryIndexes: input.GlobalSecondaryIndexes.filter((index) => index.IndexName !== "blocked"),
      }),
    );
    const older = createDynamoStorage({ client: dynamo.documentClient, tableName: olderTable, clock });
    await older.users.createIfMissing(aProfile(3, { subscribed: true, tipHour: 8 }));

    // Act
    await ensureTable(client, olderTable, { rebuildOlderLayout: true });

    // Assess: the item survived, and the new index works
    expect(await older.users.get(3)).toMatchObject({ userId: 3, subscribed: true });
    await older.users.update(3, { blocked: true });
    const day = clock.now().toISOString().slice(0, 10);
    expect((await older.users.listBlockedOn(day)).items.map((user) => user.userId)).toEqual([3]);
  });
});
