/**
 * What /start costs on dynalite now that it also unmarks a returning user who had blocked the bot: a chat's
 * first /start reads no profile (nobody new can be marked blocked), a later one reads it once, and a blocked
 * user who comes back is unmarked by that /start.
 */
import { createDynamoStorage } from "../../bot/storage/dynamodb";
import { ensureTable } from "../../bot/storage/dynamodb-table";
import { countRequests } from "../../bot/storage/request-counter";
import { createHarness } from "../helpers/bot-harness";
import { FakeClock } from "../helpers/clock";
import { type LocalDynamo, startDynalite } from "../helpers/dynamo";

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
  await ensureTable(dynamo.client, "start-requests");
});
afterAll(async () => {
  await dynamo?.stop();
});

it("reads the profile on /start only in a chat seen before, and unmarks a blocked user there", async () => {
  const client = dynamo.documentClient;
  const storage = createDynamoStorage({ client, tableName: "start-requests", clock: new FakeClock() });
  const bot = createHarness({ storage });
  const counter = countRequests(client);

  await bot.say(31, "/start");
  // The chat state read, the new profile (conditional put), the chat state write: no profile read.
  expect({ ...counter.byCommand }).toEqual({ GetItem: 1, PutItem: 2 });

  await storage.users.update(31, { blocked: true }); // a 403 during a broadcast
  counter.reset();
  await bot.say(31, "/start"); // Telegram's "Restart" after unblocking
  const cost = { ...counter.byCommand };
  counter.dispose();
  expect(await storage.users.get(31)).toMatchObject({ blocked: false });
  // The chat state read, the profile read, the unmarking update (which reads the profile again to keep the tips
  // index right, bot/storage/dynamodb.ts `update`), the chat state write.
  expect(cost).toEqual({ GetItem: 3, UpdateItem: 1, PutItem: 1 });
});
