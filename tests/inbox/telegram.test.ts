/**
 * The inbox from Telegram, through the real bot (tests/helpers/bot-harness.ts) and the shipped NLP model: what the
 * bot declines, "None of these" and 👎 land in the inbox once, 👍 is counted, the feedback row goes after one tap
 * (other buttons stay), and admins review the inbox with /inbox.
 */
import type { Update } from "grammy/types";
import { callbackData } from "../../bot/callback-data";
import { MemoryInboxStore } from "../../bot/inbox/store/memory";
import type { NlpClassifier } from "../../nlp/classifier";
import { type ApiCall, buttons, createHarness, texts } from "../helpers/bot-harness";
import { contendedStorage } from "../helpers/chats";
import { FakeClock } from "../helpers/clock";
import { defaultNlp } from "../helpers/default-model";

/** Probed on the shipped model: declined, "did you mean", and a confident Q&A answer. */
const declined = "make my lambda zoom";
const unsure = "lambda limits";
const answered = "lambda memory";

let nlp: NlpClassifier;
/** The shipped model's best guess for `declined`, which the inbox shows first. */
let declinedTop: string;
beforeAll(() => {
  nlp = defaultNlp();
  declinedTop = nlp.classify(declined, "en").candidates[0]?.intent ?? "";
});

function nlpBot(options: Parameters<typeof createHarness>[0] = {}) {
  return createHarness({ nlp, config: { defaultMode: "nlp", adminUserIds: [1] }, ...options });
}

function message(bot: ReturnType<typeof createHarness>, key: string): string {
  return bot.content.messages[key]?.en as string;
}

/** Gives a press the whole keyboard of its message, as Telegram does (the harness sends the pressed button only). */
function withKeyboard(update: Update, keyboard: unknown[][]): Update {
  (
    update as unknown as { callback_query: { message: { reply_markup: unknown } } }
  ).callback_query.message.reply_markup = { inline_keyboard: keyboard };
  return update;
}

/** The inline keyboard of the last sendMessage among `calls`. */
function lastKeyboard(calls: ApiCall[]): { text: string; callback_data?: string; url?: string }[][] {
  const sent = calls
    .filter((call) => call.method === "sendMessage" || call.method === "editMessageText")
    .at(-1);
  return ((sent?.payload.reply_markup as { inline_keyboard?: [] } | undefined)?.inline_keyboard ??
    []) as never;
}

describe("what the bot could not answer goes to the inbox", () => {
  it("keeps a declined message once per text and language, with its top 3 intents, counted per sending", async () => {
    const bot = nlpBot();
    const reply = texts(await bot.say(7, declined));
    expect(reply).toEqual([message(bot, "nlp.outOfScope")]);
    await bot.say(8, "Make my  LAMBDA zoom");
    await bot.say(7, "where can I buy cheap concert tickets");

    const { entries } = (await bot.inbox?.list()) ?? { entries: [] };
    expect(entries.map((entry) => [entry.text, entry.count])).toEqual([
      [declined, 2],
      ["where can I buy cheap concert tickets", 1],
    ]);
    expect(entries[0]).toMatchObject({
      language: "en",
      tier: "nlp",
      origins: ["declined"],
      status: "new",
    });
    expect(entries[0]?.candidates.map((candidate) => candidate.intent)).toHaveLength(3);
    expect(entries[0]?.candidates[0]?.intent).toBe(declinedTop);
  });

  it("keeps rules-mode declines too (tier rules), but not unknown commands or stickers", async () => {
    const bot = createHarness();
    await bot.say(7, "my cat likes sardines");
    await bot.say(7, "/nosuchcommand");
    await bot.deliver({
      update_id: 99_001,
      message: {
        message_id: 1,
        date: 0,
        chat: { id: 7, type: "private", first_name: "U" },
        from: { id: 7, is_bot: false, first_name: "U" },
        sticker: {
          file_id: "s",
          file_unique_id: "s",
          type: "regular",
          width: 1,
          height: 1,
          is_animated: false,
          is_video: false,
        },
      },
    } as Update);
    const { entries } = (await bot.inbox?.list()) ?? { entries: [] };
    expect(entries.map((entry) => [entry.text, entry.tier, entry.origins])).toEqual([
      ["my cat likes sardines", "rules", ["declined"]],
    ]);
  });

  it("keeps the question of a 'did you mean' when the user presses 'None of these', once", async () => {
    const bot = nlpBot();
    const offer = await bot.say(7, unsure);
    expect(texts(offer)).toEqual([message(bot, "nlp.didYouMean")]);
    const offered = buttons(offer).map((button) => button.data);
    expect(offered).toContain(callbackData.noneOfThese.data);
    expect(await bot.inbox?.list()).toEqual({ entries: [] });

    await bot.press(7, callbackData.noneOfThese.data);
    const { entries } = (await bot.inbox?.list()) ?? { entries: [] };
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ text: unsure, origins: ["noneOfThese"], count: 1 });
    expect(entries[0]?.candidates.map((c) => `i:${c.intent}`)).toEqual(
      offered.filter((data) => data.startsWith("i:")),
    );

    // The offer is used: a second press keeps nothing more.
    await bot.press(7, callbackData.noneOfThese.data);
    expect((await bot.inbox?.list())?.entries[0]?.count).toBe(1);
  });

  it("keeps nothing for a 'None of these' pressed after the user wrote something else", async () => {
    const bot = nlpBot();
    await bot.say(7, unsure);
    await bot.say(7, answered);
    await bot.press(7, callbackData.noneOfThese.data);
    expect(await bot.inbox?.list()).toEqual({ entries: [] });
  });

  it("writes once when a version conflict makes the update run again", async () => {
    const { storage, contendOnce } = contendedStorage();
    const bot = nlpBot({ storage });
    await bot.say(7, "/start");
    contendOnce();
    await bot.say(7, declined);
    expect(bot.logger.entries.some((entry) => entry.message.includes("concurrently"))).toBe(true);
    expect((await bot.inbox?.list())?.entries.map((entry) => entry.count)).toEqual([1]);
  });
});

describe("👍 / 👎 under answers", () => {
  it("puts a feedback row under Q&A answers in NLP mode, after the Docs button, and not in rules mode", async () => {
    const bot = nlpBot();
    const keyboard = lastKeyboard(await bot.say(7, answered));
    expect(keyboard[0]?.[0]?.url).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    expect(keyboard.at(-1)?.map((button) => button.text)).toEqual(["👍", "👎"]);
    expect(keyboard.at(-1)?.map((button) => button.callback_data?.slice(0, 4))).toEqual(["fb:u", "fb:d"]);

    const rules = createHarness();
    const rulesKeyboard = lastKeyboard(await rules.say(7, "what is the maximum memory for lambda"));
    expect(rulesKeyboard.flat().some((button) => button.callback_data?.startsWith("fb:"))).toBe(false);
    // Chit-chat answers carry none either.
    const chat = lastKeyboard(await bot.say(7, "thank you so much"));
    expect(chat.flat().some((button) => button.callback_data?.startsWith("fb:"))).toBe(false);
  });

  it("a 👎 keeps the question with the answer it got, takes the row off and keeps Docs; one tap only", async () => {
    const bot = nlpBot();
    const calls = await bot.say(7, answered);
    const keyboard = lastKeyboard(calls);
    const down = keyboard.at(-1)?.[1]?.callback_data as string;
    const answerMessageId = 4242;
    const press = (data: string) => {
      const update = withKeyboard(bot.callbackUpdate(7, data, answerMessageId), keyboard);
      bot.newCalls();
      return bot.deliver(update).then(() => bot.newCalls());
    };

    const pressed = await press(down);
    const answer = pressed.find((call) => call.method === "answerCallbackQuery");
    expect(answer?.payload.text).toBe(message(bot, "feedback.noted"));
    const edit = pressed.find((call) => call.method === "editMessageReplyMarkup");
    expect(edit?.payload.message_id).toBe(answerMessageId);
    const left = (
      (edit?.payload.reply_markup ?? {}) as { inline_keyboard: { url?: string; callback_data?: string }[][] }
    ).inline_keyboard;
    expect(left.flat().some((button) => button.callback_data?.startsWith("fb:"))).toBe(false);
    expect(left[0]?.[0]?.url).toBe(keyboard[0]?.[0]?.url);

    const { entries } = (await bot.inbox?.list()) ?? { entries: [] };
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      text: answered,
      origins: ["thumbsDown"],
      answeredIntent: "qa.lambda-memory",
      count: 1,
    });
    expect(entries[0]?.candidates).toHaveLength(3);
    expect(entries[0]?.candidates[0]?.intent).toBe("qa.lambda-memory");

    // A second tap (a stale keyboard) keeps nothing more and says the button was used.
    const again = await press(down);
    expect(again.find((call) => call.method === "answerCallbackQuery")?.payload.text).toBe(
      message(bot, "buttons.used"),
    );
    expect((await bot.inbox?.list())?.entries[0]?.count).toBe(1);
  });

  it("a 👍 is counted as a metric and keeps nothing", async () => {
    const metricLines: string[] = [];
    const bot = nlpBot({ metricLines });
    const up = lastKeyboard(await bot.say(7, answered)).at(-1)?.[0]?.callback_data as string;
    const pressed = await bot.press(7, up);
    expect(pressed.find((call) => call.method === "answerCallbackQuery")?.payload.text).toBe(
      message(bot, "feedback.thanks"),
    );
    expect(metricLines.some((line) => line.includes('"AnswerThumbsUp"'))).toBe(true);
    expect(await bot.inbox?.list()).toEqual({ entries: [] });
  });

  it("gives the answer picked from 'did you mean' its own row, for the question asked", async () => {
    const bot = nlpBot();
    const offer = await bot.say(7, unsure);
    const first = buttons(offer).find((button) => button.data.startsWith("i:"))?.data as string;
    // Telegram sends the pressed message with its whole keyboard ("None of these" marks a "did you mean").
    const update = withKeyboard(bot.callbackUpdate(7, first), lastKeyboard(offer));
    bot.newCalls();
    await bot.deliver(update);
    const picked = bot.newCalls();
    const down = lastKeyboard(picked).at(-1)?.[1]?.callback_data as string;
    expect(down).toMatch(/^fb:d/);
    await bot.press(7, down);
    expect((await bot.inbox?.list())?.entries[0]).toMatchObject({
      text: unsure,
      answeredIntent: first.slice(2),
      origins: ["thumbsDown"],
    });
  });

  it("only the last three answers keep their row", async () => {
    const bot = nlpBot();
    const downs: string[] = [];
    for (const text of [answered, "lambda storage", "serverless bot", "lambda cold start"])
      downs.push(lastKeyboard(await bot.say(7, text)).at(-1)?.[1]?.callback_data as string);
    const oldest = await bot.press(7, downs[0] as string);
    expect(oldest.find((call) => call.method === "answerCallbackQuery")?.payload.text).toBe(
      message(bot, "buttons.used"),
    );
    await bot.press(7, downs[3] as string);
    expect((await bot.inbox?.list())?.entries.map((entry) => entry.text)).toEqual(["lambda cold start"]);
  });
});

describe("/inbox for admins", () => {
  async function filled() {
    const clock = new FakeClock();
    const inbox = new MemoryInboxStore({ clock, retentionDays: 90 });
    const bot = nlpBot({ inbox });
    for (const user of [11, 12, 13]) await bot.say(user, declined);
    for (const user of [11, 12]) await bot.say(user, "where can I buy cheap concert tickets");
    await bot.say(11, "what's the weather on mars");
    return { bot, inbox };
  }

  it("is refused to non-admins", async () => {
    const { bot } = await filled();
    expect(texts(await bot.say(7, "/inbox"))).toEqual([message(bot, "inbox.refused")]);
  });

  it("shows the most frequent entry first, with its top 3 intents, pick another, out of scope, dismiss, next", async () => {
    const { bot } = await filled();
    const calls = await bot.say(1, "/inbox");
    const [text] = texts(calls);
    expect(text).toContain(`“${declined}”`);
    expect(text).toContain("asked 3×");
    expect(text).toContain(declinedTop);
    const keyboard = lastKeyboard(calls).map((row) => row.map((button) => button.callback_data ?? ""));
    expect(keyboard.slice(0, 3).every((row) => row[0]?.startsWith("il:"))).toBe(true);
    expect(keyboard[0]?.[0]).toMatch(new RegExp(`^il:[A-Za-z0-9_-]{12}:${declinedTop.replace(".", "\\.")}$`));
    expect(keyboard.slice(3)).toEqual([
      [expect.stringMatching(/^ip:.{12}:0$/)],
      [expect.stringMatching(/^io:/), expect.stringMatching(/^ix:/)],
      ["in:next"],
    ]);
  });

  it("labels with a top intent, then shows the next entry in the same message; next, out of scope, dismiss", async () => {
    const { bot, inbox } = await filled();
    const first = lastKeyboard(await bot.say(1, "/inbox"))[0]?.[0]?.callback_data as string;

    const labelled = await bot.press(1, first);
    expect(labelled.find((call) => call.method === "answerCallbackQuery")?.payload.text).toContain(
      declinedTop,
    );
    const edited = labelled.find((call) => call.method === "editMessageText");
    expect(edited?.payload.text).toContain("“where can I buy cheap concert tickets”");
    expect((await inbox.list({ status: "labelled" })).entries).toMatchObject([
      { text: declined, label: declinedTop },
    ]);

    // Next skips the concert question; out of scope then applies to the Mars one.
    const next = await bot.press(1, callbackData.inboxNext.data);
    expect(next.find((call) => call.method === "editMessageText")?.payload.text).toContain("mars");
    const outOfScope = lastKeyboard(next)
      .flat()
      .find((button) => button.callback_data?.startsWith("io:"))?.callback_data as string;
    const after = await bot.press(1, outOfScope);
    expect((await inbox.list({ status: "outOfScope" })).entries.map((entry) => entry.text)).toEqual([
      "what's the weather on mars",
    ]);
    // Past the end, the review starts over with the skipped one; dismissing it empties the inbox.
    expect(after.find((call) => call.method === "editMessageText")?.payload.text).toContain("concert");
    const dismiss = lastKeyboard(after)
      .flat()
      .find((button) => button.callback_data?.startsWith("ix:"))?.callback_data as string;
    const last = await bot.press(1, dismiss);
    expect(last.find((call) => call.method === "editMessageText")?.payload.text).toBe(
      message(bot, "inbox.empty"),
    );
    expect((await inbox.list({ status: "dismissed" })).entries).toHaveLength(1);
  });

  it("pages through every intent with 'pick another' and labels with the one picked", async () => {
    const { bot, inbox } = await filled();
    const pickFirst = lastKeyboard(await bot.say(1, "/inbox"))
      .flat()
      .find((button) => button.callback_data?.startsWith("ip:"))?.callback_data as string;
    const page0 = await bot.press(1, pickFirst);
    const markup = (calls: ApiCall[]) =>
      (
        (calls.find((call) => call.method === "editMessageReplyMarkup")?.payload.reply_markup ?? {}) as {
          inline_keyboard: { text: string; callback_data: string }[][];
        }
      ).inline_keyboard;
    const rows0 = markup(page0);
    expect(rows0).toHaveLength(9);
    const forward = rows0.at(-1)?.find((button) => button.text === "▶")?.callback_data as string;
    const rows1 = markup(await bot.press(1, forward));
    const second = rows1[0]?.[0]?.callback_data as string;
    expect(second).toBe(
      callbackData.inboxLabel.encode({
        entry: pickFirst.slice(3, 15),
        value: bot.content.intents[8]?.id as string,
      }),
    );
    await bot.press(1, second);
    expect((await inbox.list({ status: "labelled" })).entries[0]?.label).toBe(bot.content.intents[8]?.id);
  });

  it("refuses crafted review presses from non-admins and intent ids the content does not have", async () => {
    const { bot, inbox } = await filled();
    const id = (await inbox.list()).entries[0]?.id as string;
    await bot.press(7, callbackData.inboxDismiss.encode(id));
    await bot.press(1, callbackData.inboxLabel.encode({ entry: id, value: "qa.no-such-intent" }));
    expect((await inbox.list()).entries).toHaveLength(3);
  });
});
