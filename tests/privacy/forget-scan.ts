/**
 * The /forget acceptance scenario, run on dynalite (forget-scan.test.ts) and on Amazon's DynamoDB Local
 * (forget-scan.dynamodb-local.test.ts): two users who did everything (profile, learner-profile questionnaire,
 * subscription, a daily tip and a "more like this" tip, a broadcast received, a declined question kept in the inbox
 * and handed to the staff with their reply, chat state), one of them sends
 * /forget and confirms; then a full table Scan finds no item whose key or any attribute, however nested, holds
 * that user's id (as a number, or inside a string), while the other user's items are exactly as they were.
 * Everything goes through the composition root (bot/runtime/services.ts), as the deployed webhook does.
 */
import type { Update } from "grammy/types";
import { threadIdInText } from "../../bot/handoff/state";
import { createMemoryLogger } from "../../bot/observability/logger";
import { createServices } from "../../bot/runtime/services";
import { countRequests } from "../../bot/storage/request-counter";
import { audienceShardOf } from "../../bot/storage/shared";
import { loadContent } from "../../content/load";
import { env } from "../../contracts/runtime";
import { botInfo, buttons, createHarness, texts } from "../helpers/bot-harness";
import { FakeClock } from "../helpers/clock";
import { type LocalDynamo, scanTable } from "../helpers/dynamo";

/** The user who forgets, and another in the same audience shard (so they share a broadcast plan part). */
export const forgetter = 5_912_345_678;
export const bystander = 4_811_223_358;
/** The operator's staff group (human handoff), and a staff member in it. */
export const supportChat = -1_009_000_001;
const staff = { id: 9_000_001, is_bot: false, first_name: "Sam" };

type Item = Record<string, unknown>;

/** Whether `value` (an item, or anything inside one) holds `id`: as a number, or within a string or a key. */
export function mentions(value: unknown, id: number): boolean {
  if (typeof value === "number") return value === id;
  if (typeof value === "string") return value.includes(String(id));
  if (typeof value === "bigint") return value === BigInt(id);
  if (value instanceof Set || Array.isArray(value)) return [...value].some((entry) => mentions(entry, id));
  if (value !== null && typeof value === "object")
    return Object.entries(value).some(([key, entry]) => key.includes(String(id)) || mentions(entry, id));
  return false;
}

/** Every item of the table, by a paginated Scan. */
export async function scanAll(dynamo: LocalDynamo): Promise<Item[]> {
  return (await scanTable(dynamo.documentClient, dynamo.tableName)) as Item[];
}

const keyOf = (item: Item) => `${String(item.pk)} / ${String(item.sk)}`;

/** The scenario's rig: the bot over DynamoDB, wired by the composition root. */
export function forgetRig(dynamo: LocalDynamo) {
  const clock = new FakeClock("2026-11-22T08:00:00.000Z");
  const content = loadContent();
  const services = createServices(
    {
      [env.tableName]: dynamo.tableName,
      [env.dynamodbEndpoint]: dynamo.endpoint,
      [env.logLevel]: "silent",
      [env.supportChatId]: String(supportChat),
      // DynamoDB Local keeps one set of tables per region (and key): the region of the test's own client.
      AWS_REGION: "us-east-1",
    },
    { clock, content },
  );
  const bot = createHarness({
    storage: services.storage,
    clock,
    content,
    eraser: services.eraser(createMemoryLogger()),
    tipHistory: services.tips,
    handoff: services.handoff,
    inbox: services.inbox,
    config: { supportChatId: supportChat },
  });
  return { clock, content, services, bot };
}

/** Plays everything a user can leave behind: profile, questionnaire, subscription, tips, a broadcast, chat. */
export async function doEverything(rig: ReturnType<typeof forgetRig>, userId: number, language: string) {
  const { bot, services, clock, content } = rig;
  bot.user(userId, { first_name: `Learner${userId}`, language_code: language });
  await bot.say(userId, "/start");
  await bot.press(userId, "q:learner-profile");
  await bot.say(userId, `Name of ${userId}`);
  await bot.press(userId, "a:1:intermediate");
  await bot.press(userId, "t:2:lambda");
  await bot.press(userId, "d:2");
  await bot.press(userId, `a:3:${language}`);
  await bot.say(userId, "9");
  await bot.press(userId, "fc");
  await bot.say(userId, "/subscribe");
  // Today's tip, as the broadcast worker records it (claim before the send, outcome after).
  const tipId = content.recommendations[0]?.id ?? "";
  const nowMs = clock.now().getTime();
  const day = { userId, date: "2026-11-22" };
  await services.tips.claim(day, { owner: "worker-1", leaseUntil: nowMs + 60_000, nowMs });
  await services.tips.finish(day, "worker-1", { status: "delivered", fields: { tipId } });
  // "More like this" under it: the bot records the extra tip.
  const more = await bot.press(userId, `tip:more:${tipId}`);
  expect(texts(more).length).toBeGreaterThan(0);
  // A broadcast delivered to them, as the worker writes it: the plan part and the recipient's claim.
  const store = services.broadcasts({ queryCounters: true });
  const shard = audienceShardOf(userId);
  const recipient = { broadcastId: "bc-privacy", shard, userId };
  await store.claim(recipient, { owner: "worker-1", leaseUntil: nowMs + 60_000, nowMs });
  await store.finish(recipient, "worker-1", { status: "delivered", fields: {} });
  // A question the bot declined, handed to the staff, and a staff reply delivered to them.
  const declined = await bot.say(userId, "my cat ate the charger, what now");
  const ask = buttons(declined).find((button) => button.data.startsWith("ho:ask:"));
  const posted = (await bot.press(userId, ask?.data ?? "")).find(
    (call) => call.method === "sendMessage" && call.payload.chat_id === supportChat,
  );
  const threadId = threadIdInText(String(posted?.payload.text));
  const thread = threadId ? await services.handoff.get(threadId) : undefined;
  expect(thread).toBeDefined();
  const chat = { id: supportChat, type: "supergroup" as const, title: "Support" };
  const status = await bot.deliver({
    update_id: 700_000 + (userId % 1000),
    message: {
      message_id: 60_000 + (userId % 1000),
      date: Math.floor(clock.now().getTime() / 1000),
      chat,
      from: staff,
      text: "Try another charger, and keep the cat away from cables.",
      reply_to_message: {
        message_id: thread?.rootMessageId ?? 0,
        date: 0,
        chat,
        from: { ...botInfo },
        text: String(posted?.payload.text),
      },
    },
  } as unknown as Update);
  expect(status).toBe(200);
  // The staff reply reached the user.
  expect(bot.newCalls().some((call) => call.payload.chat_id === userId)).toBe(true);
  return shard;
}

/** Registers the acceptance scenario on the LocalDynamo `start` gives (a fresh table per run). */
export function describeForgetScan(name: string, start: () => Promise<LocalDynamo>) {
  describe(`/forget on ${name}: a full table scan finds nothing of the user`, () => {
    let dynamo: LocalDynamo;
    beforeAll(async () => {
      dynamo = await start();
    });
    afterAll(async () => {
      await dynamo?.stop();
    });

    it("deletes every item holding the user's id, and only those", async () => {
      const rig = forgetRig(dynamo);
      const { bot, services, clock } = rig;
      const store = services.broadcasts({ queryCounters: true });
      await store.create({
        id: "bc-privacy",
        status: "running",
        request: { text: "Week 3 is live", requestedBy: 1, requestId: "req-privacy" },
        createdAt: clock.now().toISOString(),
        ratePerSecond: 25,
        allowPaidBroadcast: false,
      });
      const shard = audienceShardOf(forgetter);
      expect(audienceShardOf(bystander)).toBe(shard);
      await store.putPlan("bc-privacy", {
        shard,
        part: 0,
        recipients: [
          { userId: bystander, chatId: bystander },
          { userId: forgetter, chatId: forgetter },
        ],
        batchSize: 50,
      });
      await doEverything(rig, bystander, "en");
      // Last: the support chat's saved replies (kept until its next update) hold the staff reply to the forgetter.
      await doEverything(rig, forgetter, "vi");

      const before = await scanAll(dynamo);
      const ofForgetter = before.filter((item) => mentions(item, forgetter)).map(keyOf);
      // The scenario left the user everywhere a user can be.
      expect(ofForgetter).toHaveLength(11);
      expect(ofForgetter).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^INBOX \/ E#/),
          expect.stringMatching(/^HANDOFF#\w+ \/ THREAD$/),
          expect.stringMatching(new RegExp(`^USER#${forgetter} / HANDOFF#`)),
          `CHAT#${supportChat} / STATE`,
          `BROADCAST#bc-privacy#${shard} / PLAN#000000`,
          `BROADCAST#bc-privacy#${shard} / R#${forgetter}`,
          `CHAT#${forgetter} / STATE`,
          `USER#${forgetter} / PROFILE`,
          expect.stringMatching(new RegExp(`^USER#${forgetter} / ANSWERS#learner-profile#`)),
          `USER#${forgetter} / TIP#2026-11-22`,
          expect.stringMatching(new RegExp(`^USER#${forgetter} / TIP#2026-11-22#`)),
        ]),
      );
      const bystanderBefore = before.filter((item) => mentions(item, bystander));

      const asked = await bot.say(forgetter, "/forget");
      const confirm = buttons(asked).find((button) => button.data.startsWith("fg:y:"))?.data ?? "";
      const counter = countRequests(services.table.client);
      const goodbye = await bot.press(forgetter, confirm);
      counter.dispose();

      expect(texts(goodbye)).toEqual([rig.content.messages["forget.done"]?.vi]);
      const after = await scanAll(dynamo);
      expect(after.filter((item) => mentions(item, forgetter)).map(keyOf)).toEqual([]);
      // The bystander's items are untouched; the shared plan part lost only the forgetter.
      const plan = (item: Item) => String(item.sk).startsWith("PLAN#");
      const expected = bystanderBefore.map((item) =>
        plan(item) ? { ...item, recipients: [[bystander, bystander]] } : item,
      );
      const sortByKey = (items: Item[]) => [...items].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
      expect(sortByKey(after.filter((item) => mentions(item, bystander)))).toEqual(sortByKey(expected));
      expect(bystanderBefore.length).toBeGreaterThanOrEqual(7);
      // What the Confirm cost (docs/data-model.md), no Scan: the state read; 3 month listings of broadcasts,
      // the shard's plan parts, the inbox partition, tips, answers and handoff pointers (Query); the thread and
      // the support chat's state (GetItem); the user's count taken off their inbox entry and the plan part
      // (UpdateItem); R#, the inbox entry nobody else sent, the thread, its message index, its pointer, profile
      // and chat state (DeleteItem); the support chat's state without the staff reply to the user (PutItem);
      // tips and answers (BatchWriteItem).
      expect(counter.byCommand).toEqual({
        GetItem: 3,
        Query: 8,
        DeleteItem: 7,
        UpdateItem: 2,
        PutItem: 1,
        BatchWriteItem: 2,
      });
    });
  });
}
