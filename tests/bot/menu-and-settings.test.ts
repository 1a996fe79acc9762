import { buttons, createHarness, texts } from "../helpers/bot-harness";

const languages = [
  { code: "en", telegram: "en" },
  { code: "vi", telegram: "vi" },
  { code: "zh-TW", telegram: "zh-hant" },
];

describe("/start, /help and settings", () => {
  it.each(languages)(
    "greets in the user's Telegram language ($telegram) with the main menu",
    async ({ code, telegram }) => {
      const bot = createHarness();
      bot.user(7, { first_name: "Linh", language_code: telegram });

      const calls = await bot.say(7, "/start");

      const greeting = bot.content.messages["start.greeting"]?.[code]?.replace("{name}", "Linh");
      expect(texts(calls)).toEqual([greeting]);
      expect(buttons(calls).map((b) => b.text)).toEqual(
        ["menu.ask", "menu.questionnaires", "menu.tips", "menu.settings", "menu.help"].map(
          (key) => bot.content.messages[key]?.[code],
        ),
      );
    },
  );

  it("falls back to the default language for a language the pack does not have", async () => {
    const bot = createHarness();
    bot.user(7, { language_code: "de" });

    const calls = await bot.say(7, "/help");

    expect(texts(calls)).toEqual([bot.content.messages["help.text"]?.en]);
  });

  it("changes the language with /language, remembers it, and stores it in the profile", async () => {
    const bot = createHarness();
    await bot.say(7, "/start");

    const changed = await bot.say(7, "/language vi");
    const help = await bot.say(7, "/help");

    expect(texts(changed)[0]).toBe(
      bot.content.messages["language.changed"]?.vi?.replace("{language}", "Tiếng Việt"),
    );
    expect(texts(help)).toEqual([bot.content.messages["help.text"]?.vi]);
    expect((await bot.storage.users.get(7))?.language).toBe("vi");
  });

  it("offers language buttons for /language without an argument, and a press switches", async () => {
    const bot = createHarness();
    const offered = await bot.say(7, "/language");
    expect(buttons(offered).map((b) => b.data)).toEqual(["lang:en", "lang:vi", "lang:zh-TW"]);

    await bot.press(7, "lang:zh-TW");
    const help = await bot.say(7, "/help");

    expect(texts(help)).toEqual([bot.content.messages["help.text"]?.["zh-TW"]]);
  });

  it("switches the tier per chat with /mode and explains a wrong argument", async () => {
    const bot = createHarness();

    await bot.say(7, "/mode nlp");
    const wrong = await bot.say(7, "/mode magic");

    expect((await bot.storage.chats.load(7))?.state.mode).toBe("nlp");
    expect(texts(wrong)[0]).toBe(bot.content.messages["mode.usage"]?.en);
    expect((await bot.storage.chats.load(8))?.state.mode).toBeUndefined();
  });

  it("opens settings, questionnaires, tips and help from the menu buttons", async () => {
    const bot = createHarness();
    await bot.say(7, "/start");

    expect(texts(await bot.press(7, "m:settings"))).toEqual([bot.content.messages["settings.title"]?.en]);
    expect(buttons(await bot.press(7, "m:forms")).map((b) => b.data)).toEqual(
      bot.content.questionnaires.map((q) => `q:${q.id}`),
    );
    expect(texts(await bot.press(7, "m:tips"))[0]).toContain(bot.content.messages["subscribe.off"]?.en);
    expect(texts(await bot.press(7, "m:help"))).toEqual([bot.content.messages["help.text"]?.en]);
  });

  it("answers every button press so Telegram's spinner stops, even for a stale button", async () => {
    const bot = createHarness();
    const calls = await bot.press(7, "a:3:whatever");

    expect(calls.filter((c) => c.method === "answerCallbackQuery")).toHaveLength(1);
  });

  it("creates the user's profile on first contact with the Telegram language", async () => {
    const bot = createHarness();
    bot.user(42, { first_name: "Mei", language_code: "zh-TW" });

    await bot.say(42, "hi");

    expect(await bot.storage.users.get(42)).toMatchObject({
      userId: 42,
      chatId: 42,
      language: "zh-TW",
      subscribed: false,
    });
  });
});
