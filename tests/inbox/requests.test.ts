/**
 * The request budget with the inbox on (issue 15): on dynalite, through the real bot and the shipped model, an
 * answered update still costs 2 DynamoDB requests (state read + conditional state write), and a declined message,
 * a "None of these" or a 👎 costs 3 (one UpdateItem to the inbox). Counted on the SDK client
 * (bot/storage/request-counter.ts), as bench/webhook.ts does.
 */
import { DynamoInboxStore } from "../../bot/inbox/store/dynamodb";
import { createDynamoStorage } from "../../bot/storage/dynamodb";
import { countRequests } from "../../bot/storage/request-counter";
import { buttons, createHarness } from "../helpers/bot-harness";
import { FakeClock } from "../helpers/clock";
import { defaultNlp } from "../helpers/default-model";
import { type LocalDynamo, startDynalite } from "../helpers/dynamo";

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite({ tableName: "inbox-requests" });
});
afterAll(async () => {
  await dynamo?.stop();
});

it("answered: 2 requests; declined, 'None of these' and 👎: 3, the third an UpdateItem", async () => {
  const clock = new FakeClock();
  const { documentClient: client, tableName } = dynamo;
  const bot = createHarness({
    nlp: defaultNlp(),
    config: { defaultMode: "nlp" },
    storage: createDynamoStorage({ client, tableName, clock }),
    inbox: new DynamoInboxStore({ client, tableName, clock, retentionDays: 90 }),
  });
  const counter = countRequests(client);
  await bot.say(7, "/start");
  const requests = async (act: () => Promise<unknown>) => {
    counter.reset();
    await act();
    return { ...counter.byCommand };
  };

  let answer: { text: string; data: string }[] = [];
  expect(
    await requests(async () => {
      answer = buttons(await bot.say(7, "lambda memory"));
    }),
  ).toEqual({ GetItem: 1, PutItem: 1 });
  expect(await requests(() => bot.say(7, "make my lambda zoom"))).toEqual({
    GetItem: 1,
    UpdateItem: 1,
    PutItem: 1,
  });
  expect(await requests(() => bot.say(7, "lambda limits"))).toEqual({ GetItem: 1, PutItem: 1 });
  expect(await requests(() => bot.press(7, "none"))).toEqual({
    GetItem: 1,
    UpdateItem: 1,
    PutItem: 1,
  });
  const down = answer.find((button) => button.data.startsWith("fb:d"))?.data as string;
  expect(await requests(() => bot.press(7, down))).toEqual({
    GetItem: 1,
    UpdateItem: 1,
    PutItem: 1,
  });
  const up = answer.find((button) => button.data.startsWith("fb:u"))?.data as string;
  // The answer's one tap is used: a 👍 after the 👎 reads and writes the state only.
  expect(await requests(() => bot.press(7, up))).toEqual({ GetItem: 1, PutItem: 1 });
});
