/**
 * Handoff on dynalite through the real adapters: what it costs in DynamoDB requests (an ordinary update stays
 * at 1 GetItem + 1 PutItem, the "in a thread" flag riding in the chat state; only handoff traffic touches the
 * thread items), and two staff answering at the same moment racing on the support chat's versioned state.
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
  await ensureTable(dynamo.client, "handoff-race");
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

it("delivers both of two simultaneous staff replies once each, and tells the user once of two /close", async () => {
  const tableName = "handoff-race";
  const client = dynamo.documentClient;
  const bot = createHarness({
    storage: createDynamoStorage({ client, tableName, clock: new FakeClock() }),
    handoff: new DynamoHandoffStore({ client, tableName }),
    config: { supportChatId: support },
  });
  const declined = await bot.say(42, "my cat ate the charger");
  const ask = buttons(declined).find((button) => button.data.startsWith("ho:ask:"))?.data ?? "";
  const opened = await bot.press(42, ask);
  const posted = String(opened.find((call) => call.payload.chat_id === support)?.payload.text);
  const root = (await bot.handoff.get(threadIdInText(posted) ?? ""))?.rootMessageId as number;
  let updateId = 10;
  const staffSays = (text: string, staffId: number): Update =>
    ({
      update_id: ++updateId,
      message: {
        message_id: 100 + updateId,
        date: 0,
        chat: { id: support, type: "supergroup", title: "Support" },
        from: { id: staffId, is_bot: false, first_name: `Staff ${staffId}` },
        text,
        ...(text.startsWith("/")
          ? { entities: [{ type: "bot_command", offset: 0, length: text.length }] }
          : {}),
        reply_to_message: {
          message_id: root,
          date: 0,
          chat: { id: support, type: "supergroup" },
          from: botInfo,
        },
      },
    }) as unknown as Update;
  const toUser = () =>
    bot
      .newCalls()
      .filter((call) => call.payload.chat_id === 42)
      .map((call) => String(call.payload.text));

  bot.newCalls();
  const replies = [staffSays("first answer", 7), staffSays("second answer", 8)];
  expect(await Promise.all(replies.map((update) => bot.deliver(update)))).toEqual([200, 200]);
  expect(toUser().sort()).toEqual(["💬 From our team:\nfirst answer", "💬 From our team:\nsecond answer"]);
  // Telegram re-delivers both (say the answers were lost): nothing is sent again.
  expect(await Promise.all(replies.map((update) => bot.deliver(update)))).toEqual([200, 200]);
  expect(toUser()).toEqual([]);

  await Promise.all([bot.deliver(staffSays("/close", 7)), bot.deliver(staffSays("/close", 8))]);
  expect(toUser()).toEqual([
    "Our team has closed this conversation. If you need anything else, just ask me.",
  ]);
  expect(bot.logger.entries.some((entry) => entry.message.includes("concurrently"))).toBe(true);
});
