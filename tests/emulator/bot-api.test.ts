import { Bot, GrammyError, InlineKeyboard, InputFile, Keyboard } from "grammy";
import { TelegramEmulator, type TranscriptEntry } from "../../local/telegram/emulator";
import { botOn } from "./helpers";

describe("the emulator speaks the Bot API to an unmodified grammY bot", () => {
  let emulator: TelegramEmulator;
  let bot: Bot;
  const ada = 1001;

  beforeEach(async () => {
    emulator = new TelegramEmulator();
    await emulator.start();
    emulator.createUser({ id: ada, first_name: "Ada", username: "ada", language_code: "en" });
    bot = botOn(emulator);
  });

  afterEach(() => emulator.stop());

  it("answers getMe with the bot's full profile", async () => {
    const fresh = new Bot(emulator.token, { client: { apiRoot: emulator.apiRoot } });
    await fresh.init();

    expect(fresh.botInfo).toEqual(emulator.botInfo);
    expect(fresh.botInfo).toMatchObject({ is_bot: true, username: "lambdagram_local_bot", id: 123456 });
  });

  it("returns a full Message for sendMessage, with the inline keyboard and the bot as sender", async () => {
    const keyboard = new InlineKeyboard().text("Yes", "answer:yes").text("No", "answer:no");

    const first = await bot.api.sendMessage(ada, "Ready?", { reply_markup: keyboard });
    const second = await bot.api.sendMessage(ada, "Still there?");

    expect(first).toMatchObject({
      message_id: 1,
      chat: { id: ada, type: "private", first_name: "Ada" },
      from: { id: emulator.botInfo.id, is_bot: true, username: "lambdagram_local_bot" },
      text: "Ready?",
      reply_markup: { inline_keyboard: [[{ text: "Yes", callback_data: "answer:yes" }, expect.anything()]] },
    });
    expect(typeof first.date).toBe("number");
    expect(second.message_id).toBe(2);
    expect(second.reply_markup).toBeUndefined();
    expect(emulator.chatHistory(ada).map((entry) => entry.text)).toEqual(["Ready?", "Still there?"]);
  });

  it("lets a handler edit its message and answer the callback query of a pressed button", async () => {
    bot.command("start", (ctx) =>
      ctx.reply("Pick one", { reply_markup: new InlineKeyboard().text("Tea", "tea") }),
    );
    bot.callbackQuery("tea", async (ctx) => {
      await ctx.answerCallbackQuery({ text: "Brewing" });
      await ctx.editMessageText("You picked tea");
    });
    const polling = bot.start({ timeout: 1 });
    let press: ReturnType<typeof emulator.pressButton>;
    let menu: TranscriptEntry;
    try {
      emulator.sendText(ada, "/start");
      menu = await emulator.waitFor(() => emulator.lastBotMessage(ada));
      press = emulator.pressButton(ada, menu.messageId, "tea");
      await emulator.waitFor(() => emulator.lastBotMessage(ada)?.edited);
      await emulator.idle();
    } finally {
      await bot.stop();
      await polling;
    }

    const edited = emulator.lastBotMessage(ada);
    expect(edited).toMatchObject({ messageId: menu.messageId, text: "You picked tea", edited: true });
    expect(edited?.replyMarkup).toBeUndefined(); // editMessageText without reply_markup drops the keyboard
    expect(edited?.previousVersions.map((version) => version.text)).toEqual(["Pick one"]);
    expect(emulator.callbackAnswer(press.callback_query?.id ?? "")).toEqual({
      text: "Brewing",
      showAlert: false,
    });
  });

  it("refuses an edit that changes nothing, as Telegram does", async () => {
    const sent = await bot.api.sendMessage(ada, "Same");

    await expect(bot.api.editMessageText(ada, sent.message_id, "Same")).rejects.toMatchObject({
      error_code: 400,
      description: expect.stringContaining("Bad Request: message is not modified"),
    });
  });

  it("replaces and removes inline keyboards with editMessageReplyMarkup", async () => {
    const sent = await bot.api.sendMessage(ada, "Vote", {
      reply_markup: new InlineKeyboard().text("A", "a"),
    });

    const changed = await bot.api.editMessageReplyMarkup(ada, sent.message_id, {
      reply_markup: new InlineKeyboard().text("B", "b"),
    });
    await bot.api.editMessageReplyMarkup(ada, sent.message_id);

    expect(changed).toMatchObject({
      reply_markup: { inline_keyboard: [[{ text: "B", callback_data: "b" }]] },
    });
    expect(emulator.lastBotMessage(ada)?.replyMarkup).toBeUndefined();
    expect(() => emulator.pressButton(ada, sent.message_id, "a")).toThrow(/no inline button/);
  });

  it("stores commands per scope and language", async () => {
    await bot.api.setMyCommands([{ command: "start", description: "Start" }]);
    await bot.api.setMyCommands([{ command: "start", description: "Commencer" }], { language_code: "fr" });
    await bot.api.setMyCommands([{ command: "admin", description: "Admin tools" }], {
      scope: { type: "chat", chat_id: ada },
    });

    expect(await bot.api.getMyCommands()).toEqual([{ command: "start", description: "Start" }]);
    expect(await bot.api.getMyCommands({ language_code: "fr" })).toEqual([
      { command: "start", description: "Commencer" },
    ]);
    expect(await bot.api.getMyCommands({ language_code: "de" })).toEqual([]);
    expect(emulator.menuCommands(ada)).toEqual([{ command: "admin", description: "Admin tools" }]);
    await expect(bot.api.setMyCommands([{ command: "Bad Command", description: "x" }])).rejects.toMatchObject(
      {
        description: "Bad Request: BOT_COMMAND_INVALID",
      },
    );
  });

  it("marks deleted messages in the transcript and refuses to delete them twice", async () => {
    const sent = await bot.api.sendMessage(ada, "Temporary");

    await expect(bot.api.deleteMessage(ada, sent.message_id)).resolves.toBe(true);
    await expect(bot.api.deleteMessage(ada, sent.message_id)).rejects.toMatchObject({
      description: "Bad Request: message to delete not found",
    });
    expect(emulator.chatHistory(ada)).toMatchObject([{ text: "Temporary", deleted: true }]);
    expect(emulator.lastBotMessage(ada)).toBeUndefined();
  });

  it("accepts uploaded files (multipart), URLs and known file_ids for photos and documents", async () => {
    const uploaded = await bot.api.sendPhoto(ada, new InputFile(Buffer.from("fake-jpeg-bytes"), "cat.jpg"), {
      caption: "<b>Cat</b>",
      parse_mode: "HTML",
    });
    const fileId = uploaded.photo?.at(-1)?.file_id ?? "";
    const again = await bot.api.sendPhoto(ada, fileId);
    const byUrl = await bot.api.sendDocument(ada, "https://example.com/files/report.pdf");
    const document = await bot.api.sendDocument(ada, new InputFile(Buffer.from("a,b\n1,2\n"), "data.csv"));

    expect(uploaded.caption).toBe("Cat");
    expect(uploaded.caption_entities).toEqual([{ type: "bold", offset: 0, length: 3 }]);
    expect(uploaded.photo?.at(-1)?.file_size).toBe(15);
    expect(again.photo?.at(-1)?.file_id).toBe(fileId);
    expect(byUrl.document).toMatchObject({ file_name: "report.pdf", mime_type: "application/pdf" });
    expect(document.document).toMatchObject({ file_name: "data.csv", mime_type: "text/csv", file_size: 8 });
    expect(emulator.file(fileId)?.data?.toString()).toBe("fake-jpeg-bytes");
    await expect(bot.api.sendPhoto(ada, "no-such-file-id")).rejects.toMatchObject({
      description: "Bad Request: wrong file identifier/HTTP URL specified",
    });
  });

  it("keeps the reply keyboard a chat shows until the bot removes it", async () => {
    await bot.api.sendMessage(ada, "Choose", { reply_markup: new Keyboard().text("Red").text("Blue") });

    expect(emulator.replyKeyboard(ada)?.keyboard.flat()).toEqual([{ text: "Red" }, { text: "Blue" }]);
    expect(emulator.pressReplyButton(ada, "Red").message?.text).toBe("Red");
    expect(() => emulator.pressReplyButton(ada, "Green")).toThrow(/offers "Red", "Blue"/);

    await bot.api.sendMessage(ada, "Thanks", { reply_markup: { remove_keyboard: true } });
    expect(emulator.replyKeyboard(ada)).toBeUndefined();
  });

  it("answers replies with the replied-to message, or 400 when it does not exist", async () => {
    const question = emulator.sendText(ada, "What time is it?");
    const questionId = question.message?.message_id ?? 0;

    const answer = await bot.api.sendMessage(ada, "Noon", { reply_parameters: { message_id: questionId } });

    expect(answer.reply_to_message).toMatchObject({ message_id: questionId, text: "What time is it?" });
    await expect(
      bot.api.sendMessage(ada, "?", { reply_parameters: { message_id: 999 } }),
    ).rejects.toMatchObject({
      description: "Bad Request: message to be replied not found",
    });
  });

  it("parses HTML and MarkdownV2 and refuses what Telegram refuses", async () => {
    const html = await bot.api.sendMessage(
      ada,
      'Hi <b>Ada</b>, see <a href="https://x.org">docs</a> &amp; more',
      {
        parse_mode: "HTML",
      },
    );
    const markdown = await bot.api.sendMessage(ada, "*bold* and _italic_ 1\\.5", {
      parse_mode: "MarkdownV2",
    });

    expect(html.text).toBe("Hi Ada, see docs & more");
    expect(html.entities).toEqual([
      { type: "bold", offset: 3, length: 3 },
      { type: "text_link", offset: 12, length: 4, url: "https://x.org" },
    ]);
    expect(markdown.text).toBe("bold and italic 1.5");
    await expect(
      bot.api.sendMessage(ada, "Version 1.5!", { parse_mode: "MarkdownV2" }),
    ).rejects.toMatchObject({
      description:
        "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    });
    await expect(bot.api.sendMessage(ada, "line<br>break", { parse_mode: "HTML" })).rejects.toMatchObject({
      description: 'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 4',
    });
  });

  it("answers bad requests with Telegram's status codes and wording", async () => {
    await expect(bot.api.sendMessage(ada, "")).rejects.toMatchObject({
      error_code: 400,
      description: "Bad Request: message text is empty",
    });
    await expect(bot.api.sendMessage(424242, "hello")).rejects.toMatchObject({
      error_code: 400,
      description: "Bad Request: chat not found",
    });
    await expect(bot.api.answerCallbackQuery("made-up")).rejects.toMatchObject({
      description: "Bad Request: query is too old and response timeout expired or query ID is invalid",
    });
    await expect(
      bot.api.sendMessage(ada, "x", { reply_markup: { inline_keyboard: [[{ text: "plain" } as never]] } }),
    ).rejects.toMatchObject({
      description:
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
    });
    const error = await bot.api.sendChatAction(ada, "dancing" as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrammyError);
  });

  it("answers a wrong token with 401 and an unknown method with 404, over plain HTTP", async () => {
    const wrongToken = await fetch(`${emulator.apiRoot}/bot1:WRONG/getMe`);
    const unknownMethod = await fetch(`${emulator.apiRoot}/bot${emulator.token}/sendTelepathy`, {
      method: "POST",
    });

    expect(wrongToken.status).toBe(401);
    expect(await wrongToken.json()).toEqual({ ok: false, error_code: 401, description: "Unauthorized" });
    expect(unknownMethod.status).toBe(404);
    expect(await unknownMethod.json()).toEqual({ ok: false, error_code: 404, description: "Not Found" });
  });

  it("accepts form-encoded requests and query strings, with case-insensitive method names", async () => {
    const form = await fetch(`${emulator.apiRoot}/bot${emulator.token}/sendmessage`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        chat_id: String(ada),
        text: "from curl",
        reply_markup: JSON.stringify({ inline_keyboard: [[{ text: "Ok", callback_data: "ok" }]] }),
      }),
    });
    const query = await fetch(
      `${emulator.apiRoot}/bot${emulator.token}/sendMessage?chat_id=${ada}&text=from%20query`,
    );

    expect(form.status).toBe(200);
    expect(await form.json()).toMatchObject({
      ok: true,
      result: { text: "from curl", reply_markup: { inline_keyboard: [[{ text: "Ok" }]] } },
    });
    expect(await query.json()).toMatchObject({ ok: true, result: { text: "from query" } });
  });

  it("logs every call with its params and response", async () => {
    await bot.api.sendMessage(ada, "Logged");
    await bot.api.sendMessage(424242, "Lost").catch(() => undefined);

    const sends = emulator.callsOf("sendMessage");
    expect(sends.map((call) => [call.params.text, call.response?.ok])).toEqual([
      ["Logged", true],
      ["Lost", false],
    ]);
    expect(emulator.stats()).toMatchObject({ sentMessages: 1, sendsByChat: { [ada]: 1 } });
    expect(emulator.sendCount(ada)).toBe(1);
  });
});
