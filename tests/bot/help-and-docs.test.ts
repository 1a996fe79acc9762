import type { Content, Intent } from "../../content/schema";
import type { NlpClassifier } from "../../nlp/classifier";
import { contentUtterances } from "../../nlp/cli";
import { RuleClassifier } from "../../nlp/rules";
import { type ApiCall, buttons, createHarness, defaultContent, texts } from "../helpers/bot-harness";
import { defaultNlp } from "../helpers/default-model";

/** Every inline button of the given calls with its URL, if it is a URL button. */
function urlButtons(calls: ApiCall[]): { text: string; url: string }[] {
  return calls.flatMap((c) => {
    const markup = c.payload.reply_markup as
      | { inline_keyboard?: { text: string; url?: string }[][] }
      | undefined;
    return (markup?.inline_keyboard ?? [])
      .flat()
      .flatMap((b) => (b.url === undefined ? [] : [{ text: b.text, url: b.url }]));
  });
}

/** The default pack with some intents changed, for behaviour the pack does not show by itself yet. */
function packWith(change: (intent: Intent) => Intent): Content {
  const content = defaultContent();
  return { ...content, intents: content.intents.map(change) };
}

function intent(id: string): Intent {
  const found = defaultContent().intents.find((i) => i.id === id);
  if (!found) throw new Error(`no intent ${id} in the default pack`);
  return found;
}

let nlp: NlpClassifier;
beforeAll(() => {
  nlp = defaultNlp();
});

const source = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html";

describe("the Docs button under a Q&A answer", () => {
  const withSource = () =>
    packWith((i) => (i.id === "qa.lambda-timeout" ? { ...i, source, related: ["qa.lambda-memory"] } : i));

  it.each(["en", "vi", "zh-TW"])(
    "links the answer's official source, labelled in %s, above the related questions",
    async (language) => {
      const bot = createHarness({ content: withSource() });
      await bot.say(7, `/language ${language}`);

      const calls = await bot.say(7, intent("qa.lambda-timeout").examples[language]?.[0] ?? "");

      const answer = calls.find((c) => c.method === "sendMessage");
      expect(intent("qa.lambda-timeout").answers[language]).toContain(answer?.payload.text);
      const markup = answer?.payload.reply_markup as { inline_keyboard: { text: string; url?: string }[][] };
      const rows = markup.inline_keyboard;
      expect(rows[0]).toEqual([{ text: bot.content.messages["answer.docs"]?.[language], url: source }]);
      expect(buttons(calls).map((b) => b.data)).toEqual(["", "i:qa.lambda-memory"]);
    },
  );

  it("is absent when the intent has no source", async () => {
    const bot = createHarness({
      content: packWith((i) => (i.id === "qa.lambda-memory" ? { ...i, source: undefined } : i)),
    });

    const calls = await bot.say(7, intent("qa.lambda-memory").examples.en?.[0] ?? "");

    expect(intent("qa.lambda-memory").answers.en).toContain(texts(calls)[0]);
    expect(urlButtons(calls)).toEqual([]);
  });

  it("also comes with an answer reached from a 'did you mean' or related button", async () => {
    const bot = createHarness({ content: withSource() });

    const calls = await bot.press(7, "i:qa.lambda-timeout");

    expect(urlButtons(calls)).toEqual([{ text: "📖 Docs", url: source }]);
  });
});

describe("help intents offer the button that does what was asked", () => {
  /** Asks with the intent's title (it reaches the intent in rules mode) and returns the reply's calls. */
  async function ask(bot: ReturnType<typeof createHarness>, id: string, language = "en") {
    const calls = await bot.say(7, intent(id).title[language] ?? "");
    expect(intent(id).answers[language]).toContain(texts(calls)[0]);
    return calls;
  }

  it("help.start-tips: the Subscribe button subscribes", async () => {
    const bot = createHarness();
    await bot.say(7, "/start");

    expect(buttons(await ask(bot, "help.start-tips")).map((b) => b.data)).toContain("sub");
    const calls = await bot.press(7, "sub");

    expect(texts(calls)[0]).toBe(
      bot.content.messages["subscribe.done"]?.en?.replace("{hour}", "9").replace("{zone}", "UTC"),
    );
    expect((await bot.storage.users.get(7))?.subscribed).toBe(true);
  });

  it("help.stop-tips: the Unsubscribe button unsubscribes", async () => {
    const bot = createHarness();
    await bot.say(7, "/subscribe");
    expect((await bot.storage.users.listSubscribersDue(9)).items.map((u) => u.userId)).toEqual([7]);

    expect(buttons(await ask(bot, "help.stop-tips")).map((b) => b.data)).toContain("unsub");
    const calls = await bot.press(7, "unsub");

    expect(texts(calls)).toEqual([bot.content.messages["unsubscribe.done"]?.en]);
    expect((await bot.storage.users.get(7))?.subscribed).toBe(false);
    expect((await bot.storage.users.listSubscribersDue(9)).items).toEqual([]);
  });

  it("help.tip-time: the button opens the hour picker and a pressed hour moves the daily tip", async () => {
    const bot = createHarness();
    await bot.say(7, "/subscribe");

    expect(buttons(await ask(bot, "help.tip-time")).map((b) => b.data)).toContain("th:");
    const picker = await bot.press(7, "th:");
    expect(texts(picker)).toEqual([
      bot.content.messages["tips.hourPrompt"]?.en?.replace("{hour}", "9").replace("{zone}", "UTC"),
    ]);
    expect(buttons(picker).map((b) => b.data)).toEqual(Array.from({ length: 24 }, (_, h) => `th:${h}`));
    expect(buttons(picker).find((b) => b.data === "th:9")?.text).toBe("✅ 9:00");

    const calls = await bot.press(7, "th:18");

    expect(texts(calls)).toEqual([
      bot.content.messages["tips.hourChanged"]?.en?.replace("{hour}", "18").replace("{zone}", "UTC"),
    ]);
    expect((await bot.storage.users.get(7))?.tipHour).toBe(18);
    expect((await bot.storage.users.listSubscribersDue(18)).items.map((u) => u.userId)).toEqual([7]);
    expect((await bot.storage.users.listSubscribersDue(9)).items).toEqual([]);
  });

  it("help.tip-time: a user who is not subscribed keeps the hour and is offered Subscribe", async () => {
    const bot = createHarness();
    await bot.say(7, "/start");

    const calls = await bot.press(7, "th:7");

    expect(texts(calls)).toEqual([
      bot.content.messages["tips.hourChangedNotSubscribed"]?.en
        ?.replace("{hour}", "7")
        .replace("{zone}", "UTC"),
    ]);
    expect(buttons(calls).map((b) => b.data)).toEqual(["sub"]);
    await bot.press(7, "sub");
    expect((await bot.storage.users.listSubscribersDue(7)).items.map((u) => u.userId)).toEqual([7]);
  });

  it("the tip-hour picker is also under 'Daily tips', and refuses an hour out of range", async () => {
    const bot = createHarness();
    await bot.say(7, "/start");

    expect(buttons(await bot.press(7, "m:tips")).map((b) => b.data)).toEqual(["sub", "th:"]);
    const calls = await bot.press(7, "th:24");

    // A crafted hour does not decode as a tip-hour press: it is answered like any stale button.
    expect(texts(calls)).toEqual([]);
    expect(calls.find((c) => c.method === "answerCallbackQuery")?.payload.text).toBe(
      bot.content.messages["buttons.used"]?.en,
    );
    expect((await bot.storage.users.get(7))?.tipHour).toBeUndefined();
  });

  it("help.change-language: the button offers the languages and a press switches", async () => {
    const bot = createHarness();

    expect(buttons(await ask(bot, "help.change-language")).map((b) => b.data)).toContain("m:language");
    const prompt = await bot.press(7, "m:language");
    expect(buttons(prompt).map((b) => b.data)).toEqual(["lang:en", "lang:vi", "lang:zh-TW"]);
    const calls = await bot.press(7, "lang:vi");

    expect(texts(calls)[0]).toBe(
      bot.content.messages["language.changed"]?.vi?.replace("{language}", "Tiếng Việt"),
    );
    expect((await bot.storage.users.get(7))?.language).toBe("vi");
  });

  it("help.switch-mode: the button offers the modes and a press switches", async () => {
    const bot = createHarness();

    expect(buttons(await ask(bot, "help.switch-mode")).map((b) => b.data)).toContain("m:mode");
    const prompt = await bot.press(7, "m:mode");
    expect(buttons(prompt).map((b) => b.data)).toEqual(["mode:rules", "mode:nlp"]);
    const calls = await bot.press(7, "mode:nlp");

    expect(texts(calls)[0]).toBe(
      bot.content.messages["mode.changed"]?.en?.replace("{mode}", bot.content.messages["mode.nlp"]?.en ?? ""),
    );
    // Now in NLP mode, the mode picker ticks NLP.
    expect(buttons(await bot.press(7, "m:mode"))[1]?.text).toMatch(/^✅ /);
  });

  it.each(["help.questionnaires", "help.report-wrong-answer"])(
    "%s: the Questionnaires button lists them and a press starts one",
    async (id) => {
      const bot = createHarness();

      expect(buttons(await ask(bot, id)).map((b) => b.data)).toContain("m:forms");
      const list = await bot.press(7, "m:forms");
      expect(buttons(list).map((b) => b.data)).toEqual(bot.content.questionnaires.map((q) => `q:${q.id}`));
      const started = await bot.press(7, "q:course-feedback");

      expect(texts(started).at(-1)).toMatch(/^\(1\/2\) /);
    },
  );

  it("help.capabilities: the main menu comes with the answer, and its Help button lists the commands", async () => {
    const bot = createHarness();

    const data = buttons(await ask(bot, "help.capabilities")).map((b) => b.data);
    expect(data.slice(0, 5)).toEqual(["m:ask", "m:forms", "m:tips", "m:settings", "m:help"]);
    const calls = await bot.press(7, "m:help");

    expect(texts(calls)).toEqual([bot.content.messages["help.text"]?.en]);
  });

  it("the settings action opens the settings (any help intent may carry it)", async () => {
    const bot = createHarness({
      content: packWith((i) => (i.id === "help.privacy" ? { ...i, action: "settings" } : i)),
    });

    expect(buttons(await ask(bot, "help.privacy")).map((b) => b.data)).toEqual([
      "m:settings",
      "i:help.stop-tips",
    ]);
    const calls = await bot.press(7, "m:settings");

    expect(texts(calls)).toEqual([bot.content.messages["settings.title"]?.en]);
  });

  it("help.privacy points to /privacy and /forget, with the delete button that asks for the confirmation", async () => {
    const bot = createHarness();

    const calls = await ask(bot, "help.privacy");

    expect(buttons(calls).map((b) => b.data)).toEqual(["fg:ask", "i:help.stop-tips"]);
    expect(texts(calls)[0]).toMatch(/\/privacy .*\/forget/s);
    const asked = await bot.press(7, "fg:ask");
    expect(texts(asked)).toEqual([bot.content.messages["forget.confirm"]?.en?.replace("{minutes}", "10")]);
  });

  it("the same buttons come in every language, labelled in it", async () => {
    const bot = createHarness();
    await bot.say(7, "/language zh-TW");

    const calls = await ask(bot, "help.stop-tips", "zh-TW");

    expect(buttons(calls)[0]).toEqual({
      text: bot.content.messages["tips.unsubscribe"]?.["zh-TW"],
      data: "unsub",
    });
  });
});

/** Course questions phrased with words the help intents use (change, stop, subscribe, language, data, mode...). */
const courseQuestions: { language: string; text: string }[] = [
  { language: "en", text: "how do I change the runtime language of my Lambda function" },
  { language: "en", text: "how do I stop a Lambda function that is running" },
  { language: "en", text: "can I change the time zone of a Lambda function" },
  { language: "en", text: "what data does Lambda keep in /tmp between invocations" },
  { language: "en", text: "how do I subscribe a Lambda function to an event" },
  { language: "en", text: "my API Gateway returns the wrong answer with a 502" },
  { language: "en", text: "switch my API from REST to HTTP mode" },
  { language: "en", text: "what can you do with Lambda layers" },
  { language: "en", text: "tips for reducing Lambda cold start time" },
  { language: "en", text: "how do I delete my Lambda function data and logs" },
  { language: "en", text: "can I change the programming language of an existing function" },
  { language: "en", text: "how to report an error from a Lambda function" },
  { language: "en", text: "how do I switch my function to a different mode of invocation" },
  { language: "en", text: "list of commands to deploy a Lambda function" },
  { language: "vi", text: "đổi ngôn ngữ lập trình của hàm Lambda thế nào" },
  { language: "vi", text: "làm sao dừng một hàm Lambda đang chạy" },
  { language: "vi", text: "Lambda lưu dữ liệu gì trong thư mục /tmp" },
  { language: "vi", text: "mẹo giảm thời gian cold start của Lambda" },
  { language: "vi", text: "API Gateway trả về lỗi 502 sai rồi" },
  { language: "zh-TW", text: "Lambda 函式的程式語言要怎麼換" },
  { language: "zh-TW", text: "怎麼停止正在執行的 Lambda 函式" },
  { language: "zh-TW", text: "Lambda 的 /tmp 會保存哪些資料" },
  { language: "zh-TW", text: "減少 Lambda 冷啟動時間的小技巧" },
  { language: "zh-TW", text: "API Gateway 回傳 502 錯誤" },
  { language: "zh-TW", text: "用 Lambda Layers 你能做什麼" },
  { language: "vi", text: "Lambda layers giúp bạn làm được gì" },
];

describe("a course question is never answered with a help intent", () => {
  const helpAnswers = new Set(
    defaultContent()
      .intents.filter((i) => i.kind === "help")
      .flatMap((i) => Object.values(i.answers).flat()),
  );

  it.each(courseQuestions)("$language: $text", async ({ language, text }) => {
    for (const mode of ["rules", "nlp"] as const) {
      const bot = createHarness({ nlp, config: { defaultMode: mode } });
      await bot.say(7, `/language ${language}`);

      const reply = texts(await bot.say(7, text))[0] ?? "";

      expect({ mode, text, helpAnswer: helpAnswers.has(reply) }).toEqual({ mode, text, helpAnswer: false });
    }
  });

  it("asks, course topic first, when the NLP tier leans to a help intent for a course question", async () => {
    const bot = createHarness({ nlp, config: { defaultMode: "nlp" } });
    await bot.say(7, "/language vi");

    const calls = await bot.say(7, "Lambda layers giúp bạn làm được gì");

    const answeredLayers = intent("qa.lambda-layers").answers.vi?.includes(texts(calls)[0] ?? "");
    expect(answeredLayers || buttons(calls)[0]?.data === "i:qa.lambda-layers").toBe(true);
  });

  it("while paraphrases about the bot that are not in the pack do reach their help intent in NLP mode", () => {
    const unseen = [
      { language: "en", text: "please stop sending me those daily tips", intent: "help.stop-tips" },
      { language: "en", text: "could my daily tip arrive in the evening instead", intent: "help.tip-time" },
      { language: "en", text: "which personal data of mine do you keep", intent: "help.privacy" },
      { language: "vi", text: "mình muốn đổi sang tiếng Việt", intent: "help.change-language" },
      { language: "vi", text: "đừng gửi mẹo mỗi ngày cho mình nữa nhé", intent: "help.stop-tips" },
      { language: "zh-TW", text: "我想改成用英文聊天", intent: "help.change-language" },
      { language: "zh-TW", text: "每天的小技巧不要再傳了", intent: "help.stop-tips" },
    ];
    const examples = new Set(defaultContent().intents.flatMap((i) => Object.values(i.examples).flat()));
    expect(unseen.filter((u) => examples.has(u.text))).toEqual([]);

    const reached = unseen.filter((u) => nlp.classify(u.text, u.language).candidates[0]?.intent === u.intent);

    expect(reached.map((u) => u.text)).toEqual(unseen.map((u) => u.text));
  });
});

describe("emoji-only messages and laughter", () => {
  it.each([
    ["nlp", "👍🔥", "chitchat.emoji"],
    ["rules", "❤️", "chitchat.emoji"],
    ["rules", "👍🏽👍🏽", "chitchat.emoji"],
    ["nlp", "😂😂", "chitchat.laugh"],
    ["rules", "=)))", "chitchat.laugh"],
    ["nlp", "haha", "chitchat.laugh"],
  ] as const)("in %s mode, %s is answered as %s", async (mode, text, id) => {
    const bot = createHarness({ nlp, config: { defaultMode: mode } });

    const calls = await bot.say(7, text);

    expect(intent(id).answers.en).toContain(texts(calls)[0]);
  });

  it("every emoji example of the pack is matched by the rule tier, and none is NLP training data", () => {
    const rules = new RuleClassifier(defaultContent());
    for (const id of ["chitchat.emoji", "chitchat.laugh"])
      for (const [language, examples] of Object.entries(intent(id).examples))
        for (const text of examples)
          expect({ text, intent: rules.classify(text, language).candidates[0]?.intent }).toEqual({
            text,
            intent: id,
          });
    const trainingTexts = new Set(contentUtterances(defaultContent()).map((u) => u.text));
    expect(intent("chitchat.emoji").examples.en?.filter((text) => trainingTexts.has(text))).toEqual([]);
  });

  it("text around an emoji is still understood as text", () => {
    const rules = new RuleClassifier(defaultContent());

    expect(rules.classify("thanks 👍", "en").candidates[0]?.intent).toBe("chitchat.thanks");
  });
});
