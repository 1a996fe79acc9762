/**
 * What handoff costs in DynamoDB requests, on dynalite through the real adapters: an ordinary update stays
 * at 1 GetItem + 1 PutItem (the "in a thread" flag rides in the chat state), and only handoff traffic
 * touches the thread items.
 */

import type { Update } from "grammy/types";
import { threadIdInText } from "../../bot/handoff/state";
import { DynamoHandoffStore } from "../../bot/handoff/store/dynamodb";
import { createDynamoStorage } from "../../bot/storage/dynamodb";
import { ensureTable } from "../../bot/storage/dynamodb-table";
import { countRequests } from "../../bot/storage/request-counter";
import { botInfo, buttons, createHarness } from "../helpers/bot-harness";
import { FakeClock } from "../helpers/clock";
import { type LocalDynamo, startDynalite } from "../helpers/dynamo";

const support = -1009;
let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
  await ensureTable(dynamo.client, "handoff-requests");
});
afterAll(async () => {
  await dynamo?.stop();
});

it("costs 2 requests for an ordinary or declined update, and reads the thread only for handoff traffic", async () => {
  const tableName = "handoff-requests";
  const client = dynamo.documentClient;
  const bot = createHarness({
    storage: createDynamoStorage({ client, tableName, clock: new FakeClock() }),
    handoff: new DynamoHandoffStore({ client, tableName }),
    config: { supportChatId: support },
  });
  await bot.say(42, "/start");
  const counter = countRequests(client);
  const cost = async (act: () => Promise<unknown>) => {
    counter.reset();
    await act();
    return { ...counter.byCommand };
  };

  expect(await cost(() => bot.say(42, "/help"))).toEqual({ GetItem: 1, PutItem: 1 });
  let declined: Awaited<ReturnType<typeof bot.say>> = [];
  expect(
    await cost(async () => {
      declined = await bot.say(42, "my cat ate the charger");
    }),
  ).toEqual({ GetItem: 1, PutItem: 1 });
  const ask = buttons(declined).find((button) => button.data.startsWith("ho:ask:"))?.data ?? "";
  let posted = "";
  // Open: state read + write, thread pointer + item, the mark between its two visible sends (bot/replies.ts),
  // then the root message recorded (UpdateItem + PutItem).
  expect(
    await cost(async () => {
      const calls = await bot.press(42, ask);
      posted = String(calls.find((call) => call.payload.chat_id === support)?.payload.text);
    }),
  ).toEqual({ GetItem: 1, PutItem: 5, UpdateItem: 1 });
  // A follow-up: state read + write, the thread read, its message recorded.
  expect(await cost(() => bot.say(42, "and the cable?"))).toEqual({ GetItem: 2, PutItem: 2, UpdateItem: 1 });
  const root = (await bot.handoff.get(threadIdInText(posted) ?? ""))?.rootMessageId as number;
  // A staff reply: the support chat's state read + write, the message index and the thread read.
  const reply = {
    update_id: 1,
    message: {
      message_id: 5,
      date: 0,
      chat: { id: support, type: "supergroup", title: "Support" },
      from: { id: 7, is_bot: false, first_name: "Sam" },
      text: "Buy a new one.",
      reply_to_message: {
        message_id: root,
        date: 0,
        chat: { id: support, type: "supergroup" },
        from: botInfo,
      },
    },
  } as unknown as Update;
  expect(await cost(() => bot.deliver(reply))).toEqual({ GetItem: 3, PutItem: 1 });
  counter.dispose();
});
