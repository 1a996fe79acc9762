/**
 * Our DynamoDocumentClient replaced lib-dynamodb's DynamoDBDocumentClient in the handlers, and items written
 * before the switch must read back the same after it (and the other way round, while both are deployed). On
 * dynalite, with the table the local stack uses, this writes with one client and reads with the other.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { DynamoDocumentClient } from "../../bot/aws/dynamodb";
import { type LocalDynamo, localClient, startDynalite } from "../helpers/dynamo";

let dynamo: LocalDynamo;
let ours: DynamoDocumentClient;
let sdkClient: DynamoDBClient;
let sdk: DynamoDBDocumentClient;
let table: string;

beforeAll(async () => {
  dynamo = await startDynalite();
  table = dynamo.tableName;
  ours = localClient(dynamo.endpoint);
  sdkClient = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  sdk = DynamoDBDocumentClient.from(sdkClient, { marshallOptions: { removeUndefinedValues: true } });
});

afterAll(async () => {
  ours.destroy();
  sdk.destroy();
  sdkClient.destroy();
  await dynamo.stop();
});

/** An item with every kind of value the storage adapters write, and a few they might. */
function richItem(pk: string) {
  return {
    pk,
    sk: "PROFILE",
    name: "Nguyễn Văn A 👋",
    empty: "",
    count: 42,
    ratio: 0.1,
    negative: -17.25,
    big: Number.MAX_SAFE_INTEGER,
    zero: 0,
    subscribed: true,
    blocked: false,
    nothing: null,
    mode: undefined,
    tags: new Set(["tips", "news"]),
    scores: new Set([1, 2.5, -3]),
    recentUpdateIds: [1, 2, 3],
    mixed: ["a", 1, false, null, { nested: "in a list" }, [], {}],
    state: {
      step: "question",
      answers: { q1: "yes", q2: 3, skipped: undefined },
      history: [{ at: "2025-01-01T08:00:00.000Z", text: "" }],
      flags: { a: true },
      emptyMap: {},
      emptyList: [],
    },
  };
}

/** `richItem` as it must read back: `undefined` fields dropped, everything else as written. */
function stored(pk: string) {
  const { mode: _mode, ...item } = richItem(pk);
  const { skipped: _skipped, ...answers } = item.state.answers;
  return { ...item, state: { ...item.state, answers } };
}

describe("items round-trip between our client and the SDK's document client", () => {
  it("reads with the SDK what ours wrote", async () => {
    await ours.put({ TableName: table, Item: richItem("USER#1") });
    const { Item } = await sdk.send(
      new GetCommand({ TableName: table, Key: { pk: "USER#1", sk: "PROFILE" }, ConsistentRead: true }),
    );

    expect(Item).toEqual(stored("USER#1"));
    expect(Item).not.toHaveProperty("mode");
    expect(Item?.tags).toBeInstanceOf(Set);
  });

  it("reads with ours what the SDK wrote", async () => {
    await sdk.send(new PutCommand({ TableName: table, Item: richItem("USER#2") }));
    const { Item } = await ours.get({
      TableName: table,
      Key: { pk: "USER#2", sk: "PROFILE" },
      ConsistentRead: true,
    });

    expect(Item).toEqual(stored("USER#2"));
    expect(Item?.scores).toEqual(new Set([1, 2.5, -3]));
  });

  it("reads the same item identically with both", async () => {
    await ours.put({ TableName: table, Item: richItem("USER#3") });
    const key = { pk: "USER#3", sk: "PROFILE" };

    const mine = await ours.get({ TableName: table, Key: key, ConsistentRead: true });
    const theirs = await sdk.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));

    expect(mine.Item).toEqual(theirs.Item);
  });

  // The AWS JSON protocol carries blobs as base64: bytes must be encoded on the way out and decoded on the way in.
  it("round-trips binary attributes both ways", async () => {
    const bytes = new Uint8Array([1, 2, 255]);
    await sdk.send(new PutCommand({ TableName: table, Item: { pk: "BIN#1", sk: "B", bytes } }));
    await ours.put({ TableName: table, Item: { pk: "BIN#2", sk: "B", bytes } });

    const mine = await ours.get({ TableName: table, Key: { pk: "BIN#1", sk: "B" }, ConsistentRead: true });
    const theirs = await sdk.send(
      new GetCommand({ TableName: table, Key: { pk: "BIN#2", sk: "B" }, ConsistentRead: true }),
    );

    expect(mine.Item?.bytes).toEqual(bytes);
    expect(theirs.Item?.bytes).toEqual(bytes);
  });

  it("finds no item for a missing key in both", async () => {
    const key = { pk: "USER#404", sk: "PROFILE" };

    const mine = await ours.get({ TableName: table, Key: key });
    const theirs = await sdk.send(new GetCommand({ TableName: table, Key: key }));

    expect(mine.Item).toBeUndefined();
    expect(theirs.Item).toBeUndefined();
  });
});

describe("conditions, updates and queries behave the same", () => {
  it("names a refused condition ConditionalCheckFailedException in both clients", async () => {
    await ours.put({ TableName: table, Item: { pk: "CLAIM#1", sk: "CLAIM", owner: "first" } });
    const claim = {
      TableName: table,
      Item: { pk: "CLAIM#1", sk: "CLAIM", owner: "second" },
      ConditionExpression: "attribute_not_exists(pk)",
    };

    const mine = await ours.put(claim).catch((error: unknown) => error);
    const theirs = await sdk.send(new PutCommand(claim)).catch((error: unknown) => error);

    expect((mine as Error).name).toBe("ConditionalCheckFailedException");
    expect((theirs as Error).name).toBe("ConditionalCheckFailedException");
    const { Item } = await ours.get({ TableName: table, Key: { pk: "CLAIM#1", sk: "CLAIM" } });
    expect(Item?.owner).toBe("first");
  });

  it("returns the same ALL_NEW attributes from the same update", async () => {
    // the same item twice
    await ours.put({ TableName: table, Item: { ...richItem("USER#10"), sk: "A" } });
    await ours.put({ TableName: table, Item: { ...richItem("USER#10"), sk: "B" } });
    const update = (sk: string) => ({
      TableName: table,
      Key: { pk: "USER#10", sk },
      UpdateExpression:
        "SET #count = #count + :one, #state.#step = :step, #list = list_append(#list, :more), #gone = :undefinedFree REMOVE #ratio ADD #tags :tag",
      ConditionExpression: "#subscribed = :yes",
      ExpressionAttributeNames: {
        "#count": "count",
        "#state": "state",
        "#step": "step",
        "#list": "recentUpdateIds",
        "#gone": "cleared",
        "#ratio": "ratio",
        "#tags": "tags",
        "#subscribed": "subscribed",
      },
      ExpressionAttributeValues: {
        ":one": 1,
        ":step": { name: "done", at: -1.5, meta: null },
        ":more": [4, "five"],
        ":undefinedFree": { kept: "", dropped: undefined },
        ":tag": new Set(["updates"]),
        ":yes": true,
      },
      ReturnValues: "ALL_NEW" as const,
    });

    const mine = await ours.update(update("A"));
    const theirs = await sdk.send(new UpdateCommand(update("B")));

    expect({ ...mine.Attributes, sk: "?" }).toEqual({ ...theirs.Attributes, sk: "?" });
    expect(mine.Attributes).toMatchObject({
      count: 43,
      recentUpdateIds: [1, 2, 3, 4, "five"],
      cleared: { kept: "" },
      tags: new Set(["tips", "news", "updates"]),
      state: { step: { name: "done", at: -1.5, meta: null } },
    });
    expect(mine.Attributes).not.toHaveProperty("ratio");
  });

  it("pages a query the same way, and each client continues from the other's LastEvaluatedKey", async () => {
    // 7 answers of one user, written alternately by both clients
    for (let i = 1; i <= 7; i++) {
      const Item = { pk: "USER#20", sk: `ANSWERS#${String(i).padStart(2, "0")}`, value: i, note: `n${i}` };
      if (i % 2) await ours.put({ TableName: table, Item });
      else await sdk.send(new PutCommand({ TableName: table, Item }));
    }
    const query = {
      TableName: table,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": "USER#20", ":prefix": "ANSWERS#" },
      Limit: 3,
    };
    type Page = { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
    const withOurs = (start?: Record<string, unknown>): Promise<Page> =>
      ours.query({ ...query, ...(start ? { ExclusiveStartKey: start } : {}) });
    const withSdk = (start?: Record<string, unknown>): Promise<Page> =>
      sdk.send(new QueryCommand({ ...query, ...(start ? { ExclusiveStartKey: start } : {}) }));
    async function pages(alternate: ((start?: Record<string, unknown>) => Promise<Page>)[]) {
      const seen: Page[] = [];
      let start: Record<string, unknown> | undefined;
      for (let n = 0; ; n++) {
        const next = alternate[n % alternate.length];
        if (!next) throw new Error("no query function");
        const page = await next(start);
        seen.push({ Items: page.Items, LastEvaluatedKey: page.LastEvaluatedKey });
        start = page.LastEvaluatedKey;
        if (!start) return seen;
      }
    }

    const mine = await pages([withOurs]);
    const theirs = await pages([withSdk]);
    const mixedOursFirst = await pages([withOurs, withSdk]);
    const mixedSdkFirst = await pages([withSdk, withOurs]);

    expect(mine.map((page) => page.Items?.map((item) => item.value))).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(mine[0]?.LastEvaluatedKey).toEqual({ pk: "USER#20", sk: "ANSWERS#03" });
    expect(mine).toEqual(theirs);
    expect(mixedOursFirst).toEqual(mine);
    expect(mixedSdkFirst).toEqual(mine);
  });
});
