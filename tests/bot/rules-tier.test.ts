import { matchKey } from "../../nlp/normalize";
import { compileContentRules } from "../../nlp/rules";
import { buttons, createHarness, texts } from "../helpers/bot-harness";

describe("the rule tier", () => {
  it.each(["en", "vi", "zh-TW"])(
    "answers an exact example phrase of every intent in %s",
    async (language) => {
      const bot = createHarness();
      await bot.say(7, `/language ${language}`);

      const wrong: string[] = [];
      for (const intent of bot.content.intents) {
        const example = intent.examples[language]?.[0] ?? "";
        const reply = texts(await bot.say(7, example))[0] ?? "";
        if (!intent.answers[language]?.includes(reply))
          wrong.push(`${intent.id}: "${example}" got "${reply.slice(0, 40)}"`);
      }
      expect(wrong).toEqual([]);
    },
  );

  it("matches Vietnamese typed without diacritics and ignores case and punctuation", async () => {
    const bot = createHarness();
    await bot.say(7, "/language vi");
    const intent = bot.content.intents.find((i) => i.id === "chitchat.greet");
    const example = intent?.examples.vi?.find((e) => /[àáâãèéêìíòóôõùúăđĩũơưạ-ỹ]/i.test(e)) ?? "";
    const typedPlain = `${example.normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/g, "d").toUpperCase()}!!`;

    const reply = texts(await bot.say(7, typedPlain))[0];

    expect(intent?.answers.vi).toContain(reply);
  });

  it("answers Q&A keywords in a longer sentence, and offers a button for one that also means something else", async () => {
    const bot = createHarness();
    // A keyword the pack's out-of-scope messages also use ("bucket list") is ambiguous on its own.
    const ambiguous = new Set(
      compileContentRules(bot.content)
        .keywords.filter((keyword) => keyword.ambiguous)
        .map((keyword) => `${keyword.intent} ${keyword.key}`),
    );
    const withKeywords = bot.content.intents.filter(
      (i) => i.kind === "qa" && (i.keywords?.en?.length ?? 0) > 0,
    );
    expect(withKeywords.length).toBeGreaterThan(10);
    let answered = 0;
    let specific = 0;
    for (const intent of withKeywords) {
      const keyword = intent.keywords?.en?.[0] ?? "";
      const calls = await bot.say(7, `hey buddy, quick one about ${keyword} please`);
      if (ambiguous.has(`${intent.id} ${matchKey(keyword)}`)) {
        // Not an answer to a question the user may not have asked: a "did you mean" button for it.
        expect(buttons(calls).map((b) => b.text)).toContain(intent.title.en);
        continue;
      }
      specific += 1;
      if (intent.answers.en?.includes(texts(calls)[0] ?? "")) answered += 1;
    }
    expect(specific).toBeGreaterThan(withKeywords.length / 2);
    expect(answered / specific).toBeGreaterThan(0.8);
  });

  it("offers related questions as buttons under a Q&A answer, and a press answers that one", async () => {
    const bot = createHarness();
    const intent = bot.content.intents.find((i) => i.kind === "qa" && (i.related?.length ?? 0) > 0);
    const calls = await bot.say(7, intent?.examples.en?.[0] ?? "");
    // Callback buttons only: a Q&A answer's first row is its Docs link.
    const related = buttons(calls).filter((button) => button.data !== "")[0];
    expect(related?.data).toBe(`i:${intent?.related?.[0]}`);

    const answer = texts(await bot.press(7, related?.data ?? ""))[0];
    const target = bot.content.intents.find((i) => i.id === intent?.related?.[0]);
    expect(target?.answers.en).toContain(answer);
  });

  it("answers gibberish with a friendly fallback and the menu, in the user's language", async () => {
    const bot = createHarness();
    bot.user(7, { language_code: "vi" });

    const calls = await bot.say(7, "qwzx plorb vrrk");

    expect(texts(calls)).toEqual([bot.content.messages["fallback.text"]?.vi]);
    expect(buttons(calls).map((b) => b.data)).toContain("m:ask");
  });

  it("lists the Q&A topics as buttons when the user asks to ask a question in rules mode", async () => {
    const bot = createHarness();
    const calls = await bot.press(7, "m:ask");

    expect(texts(calls)).toEqual([bot.content.messages["ask.prompt"]?.en]);
    expect(buttons(calls)).toHaveLength(bot.content.intents.filter((i) => i.kind === "qa").length);
  });

  it("answers an unknown command with the fallback rather than silence", async () => {
    const bot = createHarness();
    expect(texts(await bot.say(7, "/frobnicate"))).toEqual([bot.content.messages["fallback.text"]?.en]);
  });

  it("in NLP mode without a model, still answers exact rules", async () => {
    const bot = createHarness({ config: { defaultMode: "nlp" } });
    const greet = bot.content.intents.find((i) => i.id === "chitchat.greet");

    const reply = texts(await bot.say(7, greet?.examples.en?.[0] ?? ""))[0];

    expect(greet?.answers.en).toContain(reply);
  });
});
