import type { NlpClassifier } from "../../nlp/classifier";
import { buttons, createHarness, defaultContent, texts } from "../helpers/bot-harness";
import { defaultNlp } from "../helpers/default-model";

/** Phrasings written for this test; none of them is an example in the content pack. */
const unseen: { language: string; text: string; intent: string }[] = [
  {
    language: "en",
    text: "is it possible to give my function more cpu power directly",
    intent: "qa.lambda-memory",
  },
  { language: "en", text: "where do the console.log lines of my function end up", intent: "qa.lambda-logs" },
  { language: "en", text: "thank you so much, that helped a lot", intent: "chitchat.thanks" },
  { language: "vi", text: "hàm của mình được chạy lâu nhất là mấy phút vậy", intent: "qa.lambda-timeout" },
  { language: "vi", text: "log in ra từ hàm lambda thì xem ở chỗ nào", intent: "qa.lambda-logs" },
  { language: "vi", text: "cam on ban nhieu nha", intent: "chitchat.thanks" },
  { language: "zh-TW", text: "我的函式最多可以執行幾分鐘", intent: "qa.lambda-timeout" },
  { language: "zh-TW", text: "函式印出來的日誌要去哪裡看", intent: "qa.lambda-logs" },
  { language: "zh-TW", text: "非常謝謝你的幫忙", intent: "chitchat.thanks" },
];

/**
 * A known miss since the out-of-scope background class (issue 12): its generic words ("how many", "at
 * most", "may ... keep") weigh toward the background. The realistic set (eval/realistic) gained far more
 * than this; the bot must at least not answer it with another question.
 */
const knownMiss = {
  language: "en",
  text: "for how many minutes at most may my function keep running",
  intent: "qa.lambda-timeout",
};

describe("the bot in NLP mode", () => {
  let nlp: NlpClassifier;
  beforeAll(() => {
    nlp = defaultNlp();
  });

  it("uses only phrasings that are not content examples", () => {
    const examples = new Set(
      defaultContent()
        .intents.flatMap((i) => Object.values(i.examples).flat())
        .map((e) => e.toLowerCase()),
    );
    expect(unseen.filter((u) => examples.has(u.text.toLowerCase()))).toEqual([]);
    expect(defaultContent().intents.map((i) => i.id)).toEqual(
      expect.arrayContaining([...new Set(unseen.map((u) => u.intent))]),
    );
  });

  it.each(unseen)(
    "understands an unseen $language paraphrase ($intent)",
    async ({ language, text, intent }) => {
      const bot = createHarness({ nlp, config: { defaultMode: "nlp" } });
      await bot.say(7, `/language ${language}`);

      const calls = await bot.say(7, text);

      // Either the answer itself, or "did you mean" with the right intent as the first button.
      const reply = texts(calls)[0];
      const expected = bot.content.intents.find((i) => i.id === intent);
      const answered = expected?.answers[language]?.includes(reply ?? "") ?? false;
      const offeredFirst = buttons(calls)[0]?.data === `i:${intent}`;
      expect({ text, answered: answered || offeredFirst }).toEqual({ text, answered: true });
    },
  );

  it("declines rather than answers another question for a paraphrase it misses", async () => {
    const result = nlp.classify(knownMiss.text, knownMiss.language);
    expect(["out_of_scope", "unsure"]).toContain(result.decision);
  });

  it.each([
    ["en", "how fast"],
    ["en", "how big"],
    ["en", "why though"],
    ["en", "thanks giving recipes"],
    ["en", "what about tomorrow"],
    ["vi", "nhanh ko"],
    ["vi", "xa không"],
    ["vi", "khỏe không mấy con gà"],
    ["zh-TW", "巴黎天氣如何"],
    ["zh-TW", "北京冷不冷"],
    ["zh-TW", "多快"],
  ])("does not answer a short %s message with small talk because it is short: %s", (language, text) => {
    const result = nlp.classify(text, language);
    const chitchat = (intent: string | undefined) => intent?.startsWith("chitchat.") ?? false;
    expect({
      text,
      answeredWithSmallTalk: result.decision === "confident" && chitchat(result.candidates[0]?.intent),
    }).toEqual({ text, answeredWithSmallTalk: false });
  });

  it("still answers clear small talk in every language", () => {
    for (const [language, text, intent] of [
      ["en", "hey, how are you", "chitchat.how-are-you"],
      ["vi", "cảm ơn bạn nhiều nha", "chitchat.thanks"],
      ["zh-TW", "謝謝你", "chitchat.thanks"],
    ] as const) {
      const result = nlp.classify(text, language);
      expect([result.decision, result.candidates[0]?.intent]).toEqual(["confident", intent]);
    }
  });

  it("answers most unseen paraphrases directly, without asking", async () => {
    const direct = unseen.filter(({ text, language, intent }) => {
      const result = nlp.classify(text, language);
      return result.decision === "confident" && result.candidates[0]?.intent === intent;
    });
    expect(direct.length / unseen.length).toBeGreaterThanOrEqual(0.7);
  });

  it("says politely that a question is out of scope and shows what the bot can do", async () => {
    const bot = createHarness({ nlp, config: { defaultMode: "nlp" } });

    const calls = await bot.say(7, "what will the weather be like in Paris tomorrow");

    expect(texts(calls)).toEqual([bot.content.messages["nlp.outOfScope"]?.en]);
    expect(buttons(calls).map((b) => b.data)).toContain("m:ask");
  });

  it("offers 'did you mean' buttons with at most three intents when unsure, and a press answers", async () => {
    const bot = createHarness({ nlp, config: { defaultMode: "nlp" } });
    const unsure = [
      "lambda api",
      "timeout",
      "limits",
      "how much",
      "function settings",
      "lambda gateway cost limits",
      "lambda stuff",
      "lambda question",
    ].find((text) => nlp.classify(text, "en").decision === "unsure");
    if (!unsure) throw new Error("expected one of the vague phrasings to be unsure");

    const calls = await bot.say(7, unsure);

    expect(texts(calls)).toEqual([bot.content.messages["nlp.didYouMean"]?.en]);
    const offered = buttons(calls);
    expect(offered.length).toBeLessThanOrEqual(4);
    expect(offered.at(-1)?.data).toBe("none");
    const answer = texts(await bot.press(7, offered[0]?.data ?? ""))[0];
    const intent = bot.content.intents.find((i) => `i:${i.id}` === offered[0]?.data);
    expect(intent?.answers.en).toContain(answer);
  });

  it("lets exact rules win over the classifier", async () => {
    const bot = createHarness({ nlp, config: { defaultMode: "nlp" } });
    const greet = bot.content.intents.find((i) => i.id === "chitchat.greet");

    const reply = texts(await bot.say(7, greet?.examples.en?.[0] ?? ""))[0];

    expect(greet?.answers.en).toContain(reply);
  });

  it("treats a questionnaire answer as an answer, not as an intent", async () => {
    const bot = createHarness({ nlp, config: { defaultMode: "nlp" } });
    await bot.say(7, "/questionnaire learner-profile");

    const calls = await bot.say(7, "Lambda Timeout");

    expect(texts(calls)[0]).toContain("(2/5)");
  });
});
