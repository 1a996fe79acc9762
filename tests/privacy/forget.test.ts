/**
 * /privacy and /forget through the real bot (grammY, the conversation middleware, the webhook handler) on the
 * in-memory storage: the policy in the user's language with this deployment's figures, the confirmation that
 * expires, and an erasure that leaves nothing, not even the chat state of the confirmation.
 */
import type { Update } from "grammy/types";
import { createUserDataEraser, storageParticipants } from "../../bot/privacy/eraser";
import { createMemoryStorage } from "../../bot/storage/memory";
import { type ApiCall, buttons, createHarness, texts } from "../helpers/bot-harness";

const messages = () => createHarness().content.messages;

/** The Confirm button's data in the calls of a /forget. */
function confirmData(calls: ApiCall[]): string {
  const data = buttons(calls).find((button) => button.data.startsWith("fg:y:"))?.data;
  if (!data) throw new Error("no Confirm button");
  return data;
}

/** A user with a profile, a finished questionnaire and a subscription, in their own language. */
async function userWithData(bot: ReturnType<typeof createHarness>, userId: number, language = "en") {
  bot.user(userId, { language_code: language });
  await bot.say(userId, "/start");
  await bot.say(userId, "/subscribe");
  await bot.storage.answers.save({
    userId,
    questionnaireId: "course-feedback",
    questionnaireVersion: 1,
    runId: `run-${userId}`,
    answers: { rating: "5" },
    answeredAt: { rating: bot.clock.now().toISOString() },
    startedAt: bot.clock.now().toISOString(),
    submittedAt: bot.clock.now().toISOString(),
  });
}

async function nothingLeftOf(bot: ReturnType<typeof createHarness>, userId: number) {
  expect(await bot.storage.chats.load(userId)).toBeUndefined();
  expect(await bot.storage.users.get(userId)).toBeUndefined();
  expect(await bot.storage.answers.list(userId)).toEqual([]);
}

describe("/privacy", () => {
  it("tells what is stored and for how long, with this deployment's retention figures, in the user's language", async () => {
    const bot = createHarness({ config: { inboxRetentionDays: 45, forgetBlockedAfterDays: 120 } });
    for (const [userId, language] of [
      [11, "en"],
      [12, "vi"],
      [13, "zh-TW"],
    ] as const) {
      bot.user(userId, { language_code: language });
      const [policy] = texts(await bot.say(userId, "/privacy"));
      const template = bot.content.privacy.policy[language] ?? "";
      expect(policy).toBe(
        template
          .replace("{inboxDays}", "45")
          .replace("{forgetDays}", "120")
          .replace("{tipDays}", "180")
          .replace("{broadcastDays}", "30"),
      );
      expect(policy).not.toMatch(/\{\w+\}/);
    }
  });

  it("offers the delete button under the policy, which asks for the same confirmation as /forget", async () => {
    const bot = createHarness();
    const calls = await bot.say(7, "/privacy");
    expect(buttons(calls)).toEqual([{ text: messages()["privacy.forgetButton"]?.en, data: "fg:ask" }]);

    const asked = await bot.press(7, "fg:ask");

    expect(texts(asked)[0]).toBe(messages()["forget.confirm"]?.en?.replace("{minutes}", "10"));
    expect(buttons(asked).map((button) => button.text)).toEqual([
      messages()["forget.yes"]?.en,
      messages()["forget.no"]?.en,
    ]);
  });
});

describe("/forget", () => {
  it("after Confirm deletes everything about the user and says goodbye in their language, leaving no chat state", async () => {
    const bot = createHarness();
    await userWithData(bot, 21, "vi");
    await userWithData(bot, 22, "en");
    const other = {
      chat: await bot.storage.chats.load(22),
      profile: await bot.storage.users.get(22),
      answers: await bot.storage.answers.list(22),
    };
    const asked = await bot.say(21, "/forget");

    const confirmed = await bot.press(21, confirmData(asked));

    expect(texts(confirmed)).toEqual([messages()["forget.done"]?.vi]);
    expect(confirmed.map((call) => call.method)).toEqual([
      "answerCallbackQuery",
      "editMessageReplyMarkup",
      "sendMessage",
    ]);
    await nothingLeftOf(bot, 21);
    expect({
      chat: await bot.storage.chats.load(22),
      profile: await bot.storage.users.get(22),
      answers: await bot.storage.answers.list(22),
    }).toEqual(other);
  });

  it("keeps everything on Cancel, and the buttons of that confirmation no longer work", async () => {
    const bot = createHarness();
    await userWithData(bot, 31);
    const asked = await bot.say(31, "/forget");
    const cancel = buttons(asked).find((button) => button.data.startsWith("fg:n:"))?.data ?? "";

    const cancelled = await bot.press(31, cancel);
    const lateConfirm = await bot.press(31, confirmData(asked));

    expect(texts(cancelled)).toEqual([messages()["forget.cancelled"]?.en]);
    expect(lateConfirm.find((call) => call.method === "answerCallbackQuery")?.payload.text).toBe(
      messages()["buttons.used"]?.en,
    );
    expect(await bot.storage.users.get(31)).toMatchObject({ userId: 31, subscribed: true });
    expect(await bot.storage.answers.list(31)).toHaveLength(1);
  });

  it("refuses a Confirm pressed after the confirmation expired, and deletes nothing", async () => {
    const bot = createHarness();
    await userWithData(bot, 41);
    const asked = await bot.say(41, "/forget");
    bot.clock.advance(10 * 60 * 1000 + 1);

    const late = await bot.press(41, confirmData(asked));

    expect(texts(late)).toEqual([messages()["forget.expired"]?.en]);
    expect(await bot.storage.users.get(41)).toMatchObject({ userId: 41 });
    expect((await bot.storage.chats.load(41))?.state.forgetRequest).toBeUndefined();
  });

  it("accepts only the latest confirmation: an older /forget's Confirm is a used button", async () => {
    const bot = createHarness();
    await userWithData(bot, 51);
    const first = await bot.say(51, "/forget");
    await bot.say(51, "/forget");

    const old = await bot.press(51, confirmData(first));

    expect(texts(old)).toEqual([]);
    expect(await bot.storage.users.get(51)).toBeDefined();
  });

  it("answers a re-delivered Confirm with the goodbye again and does not bring the user back", async () => {
    const bot = createHarness();
    await userWithData(bot, 61, "zh-TW");
    const asked = await bot.say(61, "/forget");
    const confirm: Update = bot.callbackUpdate(61, confirmData(asked));
    await bot.deliver(confirm);
    bot.newCalls();

    expect(await bot.deliver(confirm)).toBe(200);

    expect(texts(bot.newCalls())).toEqual([messages()["forget.done"]?.["zh-TW"]]);
    await nothingLeftOf(bot, 61);
  });

  it("answers 503 when a store fails mid-erasure, keeps the confirmation, and the re-delivery finishes the job", async () => {
    const storage = createMemoryStorage();
    let failTips = true;
    const eraser = createUserDataEraser([
      {
        name: "tips",
        forgetUser: async () => {
          if (failTips) throw new Error("throttled");
        },
      },
      ...storageParticipants(storage),
    ]);
    const bot = createHarness({ storage, eraser });
    await userWithData(bot, 71);
    const asked = await bot.say(71, "/forget");
    const confirm = bot.callbackUpdate(71, confirmData(asked));

    expect(await bot.deliver(confirm)).toBe(503);
    expect(texts(bot.newCalls())).toEqual([]);
    expect((await bot.storage.chats.load(71))?.state.forgetRequest).toBeDefined();

    failTips = false;
    expect(await bot.deliver(confirm)).toBe(200);
    expect(texts(bot.newCalls())).toEqual([messages()["forget.done"]?.en]);
    await nothingLeftOf(bot, 71);
  });

  it("is refused in a group, where anyone could press Confirm, with a link to a private chat", async () => {
    const bot = createHarness();
    await userWithData(bot, 81);
    const update = bot.messageUpdate(81, "/forget") as Update & { message: { chat: unknown } };
    update.message.chat = { id: -100123, type: "supergroup", title: "Study group" };
    bot.newCalls();

    await bot.deliver(update);

    const calls = bot.newCalls();
    expect(texts(calls)).toEqual([messages()["forget.privateOnly"]?.en]);
    expect(JSON.stringify(calls[0]?.payload.reply_markup)).toContain("https://t.me/lambdagram_test_bot");
    expect(await bot.storage.users.get(81)).toBeDefined();
  });

  it("leaves nothing behind in the last moments either: a user erased mid-conversation starts fresh", async () => {
    const bot = createHarness();
    await userWithData(bot, 91, "vi");
    await bot.press(91, confirmData(await bot.say(91, "/forget")));

    const again = await bot.say(91, "/start");

    expect(texts(again)[0]).toContain(
      bot.content.messages["start.greeting"]?.vi?.split("{")[0]?.trim() ?? "",
    );
    expect(await bot.storage.users.get(91)).toMatchObject({ userId: 91, subscribed: false });
    expect(await bot.storage.answers.list(91)).toEqual([]);
  });
});
