import type { Questionnaire } from "../../content/schema";
import { buttons, createHarness, texts } from "../helpers/bot-harness";

const day = 24 * 60 * 60 * 1000;

function fill(template: string | undefined, params: Record<string, string | number>): string {
  return (template ?? "").replace(/\{(\w+)\}/g, (_, key: string) => String(params[key]));
}

/** Plays the whole learner profile in English, with invalid answers on the way. */
async function completeLearnerProfile(bot: ReturnType<typeof createHarness>) {
  const m = bot.content.messages;
  await bot.press(7, "q:learner-profile");
  const tooLong = await bot.say(7, "x".repeat(65));
  expect(texts(tooLong)[0]).toBe(fill(m["validation.text"]?.en, { min: 1, max: 64 }));
  await bot.say(7, "Linh");
  const typedChoice = await bot.say(7, "Intermediate");
  expect(buttons(typedChoice).map((b) => b.data)).toContain("t:2:lambda");
  await bot.press(7, "t:2:lambda");
  await bot.press(7, "t:2:iam");
  await bot.press(7, "t:2:lambda");
  await bot.press(7, "t:2:cost");
  await bot.press(7, "d:2");
  await bot.press(7, "a:3:vi");
  const outOfRange = await bot.say(7, "25");
  expect(texts(outOfRange)[0]).toBe(fill(m["validation.integer"]?.en, { min: 0, max: 23 }));
  return bot.say(7, "7");
}

describe("questionnaires", () => {
  it("asks one question at a time with the right keyboard, re-asks invalid input, and shows a summary", async () => {
    const bot = createHarness();
    const summary = await completeLearnerProfile(bot);

    const text = texts(summary)[0] ?? "";
    expect(text).toContain("Linh");
    expect(text).toMatch(/IAM, Cost|IAM, Chi|IAM, /);
    expect(text).toContain("7");
    expect(buttons(summary).map((b) => b.data)).toEqual(["fc", "fe"]);
  });

  it("stores the answers with time stamps on confirm and copies profile fields to the user", async () => {
    const bot = createHarness();
    await completeLearnerProfile(bot);

    const saved = await bot.press(7, "fc");

    expect(texts(saved)[0]).toContain(""); // a thank-you in the newly chosen language follows
    const [submission] = await bot.storage.answers.list(7, "learner-profile");
    expect(submission?.answers).toEqual({
      name: "Linh",
      experience: "intermediate",
      topics: ["iam", "cost"],
      language: "vi",
      "tip-hour": 7,
    });
    expect(Object.keys(submission?.answeredAt ?? {})).toHaveLength(5);
    expect(await bot.storage.users.get(7)).toMatchObject({
      name: "Linh",
      level: "intermediate",
      topics: ["iam", "cost"],
      language: "vi",
      tipHour: 7,
    });
    expect(texts(saved)[0]).toBe(
      fill(bot.content.messages["questionnaire.saved"]?.vi, {
        title: bot.content.questionnaires.find((q) => q.id === "learner-profile")?.title.vi ?? "",
      }),
    );
    expect((await bot.storage.chats.load(7))?.state.form).toBeUndefined();
  });

  it("stores a run once even when the confirm press is delivered twice", async () => {
    const bot = createHarness();
    await completeLearnerProfile(bot);
    const confirm = bot.callbackUpdate(7, "fc");

    await bot.deliver(confirm);
    await bot.deliver(confirm);

    expect(await bot.storage.answers.list(7)).toHaveLength(1);
  });

  it("lets the user edit one answer from the summary and returns to the summary", async () => {
    const bot = createHarness();
    await completeLearnerProfile(bot);

    const which = await bot.press(7, "fe");
    expect(buttons(which)).toHaveLength(5);
    await bot.press(7, "fe:0");
    const back = await bot.say(7, "Minh");

    expect(texts(back)[0]).toContain("Minh");
    expect(buttons(back).map((b) => b.data)).toEqual(["fc", "fe"]);
  });

  it("answers a greeting in the middle of a choice question, then asks the same question again", async () => {
    const bot = createHarness();
    const greet = bot.content.intents.find((i) => i.id === "chitchat.greet");
    await bot.press(7, "q:learner-profile");
    await bot.say(7, "Linh");

    const calls = await bot.say(7, greet?.examples.en?.[0] ?? "hello");

    const [answer, bridge, question] = texts(calls);
    expect(greet?.answers.en).toContain(answer);
    expect(bridge).toBe(bot.content.messages["questionnaire.notAnAnswer"]?.en);
    expect(question).toContain(
      bot.content.questionnaires.find((q) => q.id === "learner-profile")?.questions[1]?.prompt.en ?? "???",
    );
    expect(buttons(calls).map((b) => b.data)).toContain("a:1:beginner");
  });

  it("resumes at the same question days later", async () => {
    const bot = createHarness();
    await bot.press(7, "q:learner-profile");
    await bot.say(7, "Linh");
    bot.clock.advance(3 * day);

    const resumed = await bot.say(7, "/questionnaire");
    const answered = await bot.press(7, "a:1:advanced");

    expect(texts(resumed)[0]).toContain("");
    expect(texts(resumed)[1]).toContain("(2/5)");
    expect(texts(answered)[0]).toContain("(3/5)");
  });

  it("cancels with /cancel and says so when nothing is open", async () => {
    const bot = createHarness();
    await bot.press(7, "q:course-feedback");

    expect(texts(await bot.say(7, "/cancel"))[0]).toBe(bot.content.messages["questionnaire.cancelled"]?.en);
    expect(texts(await bot.say(7, "/cancel"))[0]).toBe(
      bot.content.messages["questionnaire.nothingToCancel"]?.en,
    );
  });

  it("removes the buttons of a question once it is answered, so it cannot be answered twice", async () => {
    const bot = createHarness();
    await bot.say(7, "/questionnaire course-feedback");

    const calls = await bot.press(7, "a:0:5");

    const retired = calls.find((c) => c.method === "editMessageReplyMarkup");
    expect(retired?.payload).toMatchObject({ chat_id: 7 });
    expect(retired?.payload.reply_markup).toBeUndefined();
  });

  it("lets an optional question be skipped", async () => {
    const bot = createHarness();
    await bot.say(7, "/questionnaire course-feedback");
    const comment = await bot.press(7, "a:0:5");
    expect(buttons(comment).map((b) => b.data)).toContain("s:1");

    const summary = await bot.press(7, "s:1");
    await bot.press(7, "fc");

    expect(texts(summary)[0]).toContain("—");
    expect((await bot.storage.answers.list(7, "course-feedback"))[0]?.answers).toEqual({ rating: "5" });
  });

  it("ignores a button from an earlier question and asks the current one again", async () => {
    const bot = createHarness();
    await bot.say(7, "/questionnaire course-feedback");
    await bot.press(7, "a:0:4");

    const stale = await bot.press(7, "a:0:1");

    expect(texts(stale)[0]).toContain("(2/2)");
    await bot.say(7, "Great course");
    await bot.press(7, "fc");
    expect((await bot.storage.answers.list(7))[0]?.answers).toEqual({ rating: "4", comment: "Great course" });
  });

  it("restarts, without crashing, a questionnaire whose content changed while the user was half way", async () => {
    const bot = createHarness();
    await bot.press(7, "q:course-feedback");
    await bot.press(7, "a:0:3");
    const stored = await bot.storage.chats.load(7);
    const form = stored?.state.form;
    if (!stored || !form) throw new Error("expected a form in progress");
    await bot.storage.chats.save(7, { ...stored.state, form: { ...form, version: 0 } }, stored.version);

    const calls = await bot.say(7, "a comment");

    const title =
      (bot.content.questionnaires.find((q) => q.id === "course-feedback") as Questionnaire).title.en ?? "";
    expect(texts(calls)[0]).toBe(fill(bot.content.messages["questionnaire.changed"]?.en, { title }));
    expect(texts(calls).at(-1)).toContain("(1/2)");
  });

  it.each(["vi", "zh-TW"])("runs the course feedback in %s", async (language) => {
    const bot = createHarness();
    await bot.say(7, `/language ${language}`);
    const q = bot.content.questionnaires.find((x) => x.id === "course-feedback") as Questionnaire;

    const first = await bot.say(7, "/questionnaire course-feedback");
    await bot.press(7, "a:0:5");
    const summary = await bot.say(7, "👍");

    expect(texts(first).at(-1)).toContain(q.questions[0]?.prompt[language] ?? "???");
    expect(texts(summary)[0]).toContain(
      fill(bot.content.messages["questionnaire.summary"]?.[language], { title: q.title[language] ?? "" }),
    );
  });
});
