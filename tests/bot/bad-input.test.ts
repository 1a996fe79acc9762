/**
 * Groups, crafted input and used buttons: what a review found as an attacker and as a new user (issue 16).
 */
import type { Update } from "grammy/types";
import type { ChatState } from "../../bot/storage/port";
import { RuleClassifier } from "../../nlp/rules";
import { buttons, createHarness, texts } from "../helpers/bot-harness";

const group = { id: -100777, type: "supergroup", title: "Study group" } as const;

function member(userId: number) {
  return { id: userId, is_bot: false, first_name: `Member${userId}`, language_code: "en" };
}

let nextUpdateId = 90_000;
function groupMessage(userId: number, fields: Record<string, unknown>): Update {
  return {
    update_id: ++nextUpdateId,
    message: { message_id: nextUpdateId, date: 1_800_000_000, chat: group, from: member(userId), ...fields },
  } as unknown as Update;
}
function groupText(userId: number, text: string): Update {
  const command = text.match(/^\/\w+/);
  return groupMessage(userId, {
    text,
    ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
  });
}
function groupPress(userId: number, data: string, keyboard = [[{ text: "x", callback_data: data }]]): Update {
  return {
    update_id: ++nextUpdateId,
    callback_query: {
      id: `q${nextUpdateId}`,
      from: member(userId),
      chat_instance: "group",
      data,
      message: {
        message_id: 5,
        date: 1_800_000_000,
        chat: group,
        text: "(a message with buttons)",
        reply_markup: { inline_keyboard: keyboard },
      },
    },
  } as unknown as Update;
}

const stateSize = (state: ChatState | undefined) => JSON.stringify(state ?? {}).length;

describe("groups", () => {
  it("sends a member who never opened a private chat there to subscribe, and subscribes them from the link", async () => {
    const bot = createHarness();
    bot.newCalls();
    await bot.deliver(groupText(21, "/subscribe"));
    const answer = bot.newCalls();

    expect(texts(answer)).toEqual([bot.content.messages["subscribe.privateFirst"]?.en]);
    const markup = answer[0]?.payload.reply_markup as { inline_keyboard: { url?: string }[][] } | undefined;
    const link = markup?.inline_keyboard[0]?.[0];
    expect(link?.url).toMatch(/^https:\/\/t\.me\/\w+\?start=subscribe$/);
    // Nothing is stored for them: Telegram would refuse every tip until they open the chat.
    expect(await bot.storage.users.get(21)).toBeUndefined();

    bot.user(21, { first_name: "Member21", language_code: "en" });
    const opened = await bot.say(21, "/start subscribe");
    expect(texts(opened)[0]).toBe(
      bot.content.messages["subscribe.done"]?.en?.replace("{hour}", "9").replace("{zone}", "UTC"),
    );
    expect((await bot.storage.users.listSubscribersDue(9)).items.map((user) => user.userId)).toEqual([21]);
  });

  it("refuses questionnaires in a group with a way to a private chat, so no member answers another's", async () => {
    const bot = createHarness();
    await bot.deliver(groupText(11, "/questionnaire learner-profile"));
    await bot.deliver(groupText(12, "Bob"));

    const sent = bot.newCalls();
    expect(texts(sent)[0]).toBe(bot.content.messages["questionnaire.privateOnly"]?.en);
    const [link] = sent.flatMap(
      (call) =>
        (call.payload.reply_markup as { inline_keyboard?: { url?: string }[][] })?.inline_keyboard?.flat() ??
        [],
    );
    expect(link?.url).toBe("https://t.me/lambdagram_test_bot?start=learner-profile");
    expect((await bot.storage.chats.load(group.id))?.state.form).toBeUndefined();
  });

  it("never writes one member's answers into another member's profile, even from a group form saved earlier", async () => {
    const bot = createHarness();
    await bot.say(12, "/start"); // member 12 has a profile from a private chat
    const before = await bot.storage.users.get(12);
    // A group's chat state with member 11's finished form, as stored before questionnaires became private-only.
    const questionnaire = bot.content.questionnaires.find((q) => q.id === "learner-profile");
    await bot.storage.chats.save(
      group.id,
      {
        recentUpdateIds: [],
        form: {
          questionnaireId: "learner-profile",
          version: questionnaire?.version ?? 1,
          runId: "run-of-member-11",
          index: questionnaire?.questions.length ?? 5,
          answers: { name: "Member Eleven", language: "vi", "tip-hour": 3 },
          answeredAt: {},
          startedAt: "2026-11-22T08:00:00.000Z",
          phase: "confirming",
        },
      },
      0,
    );

    expect(await bot.deliver(groupPress(12, "fc"))).toBe(200);

    expect(await bot.storage.users.get(12)).toEqual(before);
    expect(await bot.storage.answers.list(12)).toEqual([]);
    expect(bot.newCalls().find((call) => call.method === "answerCallbackQuery")?.payload.text).toBe(
      bot.content.messages["buttons.used"]?.en,
    );
  });

  it("gives service messages (join, leave, pin, title) no reply", async () => {
    const bot = createHarness();
    bot.newCalls();
    await bot.deliver(groupMessage(11, { new_chat_members: [member(13)] }));
    await bot.deliver(groupMessage(11, { left_chat_member: member(14) }));
    await bot.deliver(
      groupMessage(11, { pinned_message: { message_id: 3, date: 1, chat: group, text: "hi" } }),
    );
    await bot.deliver(groupMessage(11, { new_chat_title: "Serverless study group" }));

    expect(texts(bot.newCalls())).toEqual([]);
    // A sticker is still someone talking to the bot.
    await bot.deliver(groupMessage(11, { sticker: { file_id: "s", file_unique_id: "s", type: "regular" } }));
    expect(texts(bot.newCalls())).toHaveLength(1);
  });
});

describe("what arrives is validated", () => {
  it("crafted toggle values do not grow the chat state", async () => {
    const bot = createHarness();
    await bot.say(7, "/questionnaire learner-profile");
    await bot.say(7, "Ana");
    await bot.press(7, "a:1:beginner"); // now at the several-of question (index 2)
    const atStart = stateSize((await bot.storage.chats.load(7))?.state);

    for (let i = 0; i < 1000; i++) await bot.press(7, `t:2:crafted-${i}`);
    const sent = await bot.press(7, "t:2:lambda");

    const state = (await bot.storage.chats.load(7))?.state;
    expect(state?.form?.selection).toEqual(["lambda"]);
    expect(stateSize(state)).toBeLessThan(atStart + 2000);
    expect(buttons(sent).some((button) => button.text.startsWith("✅"))).toBe(true);
  });

  it("cuts a text to Telegram's 4,096 characters before the classifiers see it", async () => {
    const seen: number[] = [];
    const bot = createHarness({
      config: { defaultMode: "nlp" },
      nlp: {
        name: "rules, watched",
        classify(text, language) {
          seen.push(text.length);
          return rules.classify(text, language);
        },
      },
    });
    const rules = new RuleClassifier(bot.content);

    const started = performance.now();
    await bot.say(7, "x".repeat(200_000));

    expect(Math.max(...seen)).toBeLessThanOrEqual(4096);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("acknowledges updates that fail the update schema, logs them, and writes nothing", async () => {
    const bot = createHarness();
    const crafted = [
      // Callback data is at most 64 bytes on Telegram.
      { ...bot.callbackUpdate(7, "x".repeat(10_000)) },
      {
        update_id: 70_001,
        message: { ...bot.messageUpdate(7, "/start").message, chat: { id: 7.5, type: "private" } },
      },
      { update_id: 70_002, message: { ...bot.messageUpdate(7, "/start").message, text: 42 } },
      { update_id: 70_003, callback_query: { id: "q", from: { id: "7" }, data: "m:help" } },
    ];

    for (const update of crafted)
      expect((await bot.webhook(bot.webhookEvent(JSON.stringify(update)))).statusCode).toBe(200);

    expect(bot.calls).toEqual([]);
    expect(await bot.storage.chats.load(7)).toBeUndefined();
    expect(await bot.storage.chats.load(7.5)).toBeUndefined();
    const warnings = bot.logger.entries.filter((entry) => entry.message.includes("update schema"));
    expect(warnings.map((entry) => entry.fields?.problem)).toEqual([
      "callback_query.data is over Telegram's 64 bytes",
      "message.chat.id is not an integer",
      "message.text is not a string",
      "callback_query.from.id is not an integer",
    ]);
  });
});

describe("used buttons", () => {
  const used = (calls: { method: string; payload: Record<string, unknown> }[]) => ({
    notice: calls.find((call) => call.method === "answerCallbackQuery")?.payload.text,
    keyboardRemoved: calls.some(
      (call) => call.method === "editMessageReplyMarkup" && !call.payload.reply_markup,
    ),
  });

  it("a questionnaire button from a finished form answers with a notice and takes the keyboard off", async () => {
    const bot = createHarness();
    await bot.say(7, "/questionnaire course-feedback");
    await bot.press(7, "a:0:5");
    await bot.say(7, "Great course, thanks");
    await bot.press(7, "fc");

    const calls = await bot.press(7, "a:0:4");

    expect(used(calls)).toEqual({ notice: bot.content.messages["buttons.used"]?.en, keyboardRemoved: true });
    expect(texts(calls)).toEqual([]);
  });

  it("a button of an unknown or old kind answers with a notice and takes the keyboard off", async () => {
    const bot = createHarness();
    const calls = await bot.press(7, "old:button:v1");
    expect(used(calls)).toEqual({ notice: bot.content.messages["buttons.used"]?.en, keyboardRemoved: true });
  });

  it("a 'did you mean' keyboard is used once: the answer comes and the keyboard goes", async () => {
    const bot = createHarness();
    const update = bot.callbackUpdate(7, "i:qa.lambda-timeout");
    const message = (update.callback_query as { message: { reply_markup: unknown } }).message;
    message.reply_markup = {
      inline_keyboard: [
        [{ text: "Timeout", callback_data: "i:qa.lambda-timeout" }],
        [{ text: "None of these", callback_data: "none" }],
      ],
    };
    bot.newCalls();
    await bot.deliver(update);

    const calls = bot.newCalls();
    expect(texts(calls)).toHaveLength(1);
    expect(used(calls).keyboardRemoved).toBe(true);
  });
});

describe("a 'more like this' button of a tip that no longer exists", () => {
  it("answers with a notice and takes the keyboard off", async () => {
    const bot = createHarness();
    await bot.say(7, "/start");
    const calls = await bot.press(7, "tip:more:tip.removed-long-ago");
    expect(calls.find((call) => call.method === "answerCallbackQuery")?.payload.text).toBe(
      bot.content.messages["buttons.used"]?.en,
    );
    expect(calls.some((call) => call.method === "editMessageReplyMarkup")).toBe(true);
  });
});
