/**
 * /results and /export through the bot harness (real update JSON, the webhook handler, Bot API calls captured):
 * users complete the course-feedback questionnaire in the bot, the admin reads the results in their language and
 * gets the CSV file, which is parsed here. Non-admins, groups, unknown ids and re-deliveries are covered too.
 */
import { HttpError, type InputFile } from "grammy";
import { csvBom } from "../../bot/questionnaire-results/csv";
import { buttons, createHarness, texts } from "../helpers/bot-harness";
import { parseCsv } from "../helpers/csv";

type Harness = ReturnType<typeof createHarness>;
const admin = 1;

/** User `userId` completes course-feedback with a star rating and a comment (or a skipped one). */
async function feedback(bot: Harness, userId: number, stars: number, comment?: string) {
  await bot.say(userId, "/questionnaire course-feedback");
  await bot.press(userId, `a:0:${stars}`);
  if (comment === undefined) await bot.press(userId, "s:1");
  else await bot.say(userId, comment);
  await bot.press(userId, "fc");
  bot.clock.advance(60_000);
}

/** The bytes of the document a sendDocument call carried, as text, and its file name. */
async function documentOf(call: { payload: Record<string, unknown> } | undefined) {
  const file = call?.payload.document as InputFile | undefined;
  if (!file || typeof file !== "object" || !("toRaw" in file))
    throw new Error("no file in the sendDocument call");
  const raw = (await file.toRaw()) as Uint8Array;
  return { text: Buffer.from(raw).toString("utf8"), filename: file.filename };
}

describe("/results", () => {
  it("refuses a user who is not an admin and shows nothing of the answers", async () => {
    const bot = createHarness({ config: { adminUserIds: [admin] } });
    await feedback(bot, 7, 5, "secret opinion");

    const calls = await bot.say(7, "/results course-feedback");

    expect(texts(calls)).toEqual([bot.content.messages["results.refused"]?.en]);
  });

  it("offers a button per questionnaire without an argument, and the results on a press", async () => {
    const bot = createHarness({ config: { adminUserIds: [admin] } });
    await feedback(bot, 7, 4);

    const chooser = await bot.say(admin, "/results");
    expect(buttons(chooser).map((b) => b.data)).toEqual(bot.content.questionnaires.map((q) => `res:${q.id}`));
    const pressed = await bot.press(admin, "res:course-feedback");

    expect(pressed.map((c) => c.method)).toContain("answerCallbackQuery");
    expect(texts(pressed)[0]).toContain("1 completed");
  });

  it("counts completions and each star rating with its share and the average, and counts written comments", async () => {
    const bot = createHarness({ config: { adminUserIds: [admin] } });
    await feedback(bot, 7, 5, "Loved the DynamoDB part");
    await feedback(bot, 8, 3);
    await feedback(bot, 9, 5, "More examples, please");
    await feedback(bot, 10, 4);

    const [text, ...more] = texts(await bot.say(admin, "/results course-feedback"));

    expect(more).toEqual([]);
    expect(text).toContain("📊 <b>Course feedback</b>: 4 completed (questions version 1)");
    expect(text).toContain("How would you rate the course so far?");
    expect(text).toContain("1 ⭐: 0 (0%)");
    expect(text).toContain("3 ⭐⭐⭐: 1 (25%)");
    expect(text).toContain("4 ⭐⭐⭐⭐: 1 (25%)");
    expect(text).toContain("5 ⭐⭐⭐⭐⭐: 2 (50%)");
    expect(text).toContain("Average: 4.3 (lowest 3, highest 5)");
    expect(text).toContain("✍️ Written answers: 2");
    expect(text).not.toContain("Loved the DynamoDB part");
  });

  it("answers in the admin's language", async () => {
    const bot = createHarness({ config: { adminUserIds: [admin] } });
    bot.user(admin, { first_name: "Quản trị", language_code: "vi" });
    await feedback(bot, 7, 4);
    await feedback(bot, 8, 5);

    const [text] = texts(await bot.say(admin, "/results course-feedback"));

    expect(text).toContain("📊 <b>Góp ý về khóa học</b>: 2 lượt hoàn thành");
    expect(text).toContain("Trung bình: 4,5 (thấp nhất 4, cao nhất 5)");
  });

  it("says so for a questionnaire nobody completed, and offers the list for an unknown id", async () => {
    const bot = createHarness({ config: { adminUserIds: [admin] } });

    expect(texts(await bot.say(admin, "/results learner-profile"))).toEqual([
      "📊 Nobody has completed <b>Learner profile</b> yet.",
    ]);
    const unknown = await bot.say(admin, "/results no-such-form");
    expect(texts(unknown)[0]).toContain("“no-such-form”");
    expect(buttons(unknown).map((b) => b.data)).toContain("res:course-feedback");
  });

  it("shows results only in a private chat, never to a group", async () => {
    const bot = createHarness({ config: { adminUserIds: [admin] } });
    await feedback(bot, 7, 5);
    const update = bot.messageUpdate(admin, "/results course-feedback") as unknown as {
      message: { chat: Record<string, unknown> };
    };
    update.message.chat = { id: -100123, type: "supergroup", title: "Staff" };
    bot.newCalls();

    await bot.deliver(update as never);

    expect(texts(bot.newCalls())).toEqual([bot.content.messages["results.privateOnly"]?.en]);
  });
});

describe("/export", () => {
  it("sends a CSV file: BOM, a column per question, one row per response with its version and time", async () => {
    const bot = createHarness({ config: { adminUserIds: [admin] } });
    await feedback(bot, 7, 5, 'Great, "really" great');
    await feedback(bot, 8, 2, '=HYPERLINK("http://evil.example")');
    await feedback(bot, 9, 4);

    const calls = await bot.say(admin, "/export course-feedback");

    const send = calls.find((c) => c.method === "sendDocument");
    expect(send?.payload).toMatchObject({ chat_id: admin, caption: "📄 Course feedback: 3 responses" });
    const { text, filename } = await documentOf(send);
    expect(filename).toMatch(/^course-feedback-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(text.startsWith(csvBom)).toBe(true);
    const [header, ...rows] = parseCsv(text.slice(csvBom.length));
    expect(header).toEqual(["submittedAt", "questionnaireVersion", "rating", "comment"]);
    expect(rows.map((row) => row.slice(1))).toEqual([
      ["1", "5", 'Great, "really" great'],
      ["1", "2", '\'=HYPERLINK("http://evil.example")'],
      ["1", "4", ""],
    ]);
    expect(rows.every((row) => !Number.isNaN(Date.parse(row[0] as string)))).toBe(true);
  });

  it("offers the questionnaires without an argument and exports on a press; nothing to export says so", async () => {
    const bot = createHarness({ config: { adminUserIds: [admin] } });
    await feedback(bot, 7, 5);

    expect(buttons(await bot.say(admin, "/export")).map((b) => b.data)).toContain("exp:course-feedback");
    const pressed = await bot.press(admin, "exp:course-feedback");
    expect(pressed.filter((c) => c.method === "sendDocument")).toHaveLength(1);

    const empty = await bot.say(admin, "/export learner-profile");
    expect(empty.map((c) => c.method)).not.toContain("sendDocument");
    expect(texts(empty)).toEqual([
      "Nobody has completed Learner profile yet, so there is nothing to export.",
    ]);
  });

  it("refuses a non-admin", async () => {
    const bot = createHarness({ config: { adminUserIds: [admin] } });
    await feedback(bot, 7, 5);

    const calls = await bot.say(7, "/export course-feedback");

    expect(calls.map((c) => c.method)).not.toContain("sendDocument");
    expect(texts(calls)).toEqual([bot.content.messages["results.refused"]?.en]);
  });

  it("keeps only a reference in the saved replies and sends the file once when Telegram re-delivers the update", async () => {
    let failUploads = 1;
    const bot = createHarness({
      config: { adminUserIds: [admin] },
      failMethod: (call) =>
        call.method === "sendDocument" && failUploads-- > 0
          ? new HttpError("Network request for 'sendDocument' failed!", new Error("timed out"))
          : undefined,
    });
    await feedback(bot, 7, 5);
    const update = bot.messageUpdate(admin, "/export course-feedback");
    bot.newCalls();

    expect(await bot.deliver(update)).toBe(503);
    const saved = await bot.storage.chats.load(admin);
    expect(saved?.state.replies?.calls.at(-1)).toEqual({
      method: "sendDocument",
      payload: {
        chat_id: admin,
        document: { questionnaireExport: { id: "course-feedback", language: "en" } },
      },
    });
    bot.clock.advance(60_000); // the first delivery's lease runs out
    expect(await bot.deliver(update)).toBe(200);
    expect(await bot.deliver(update)).toBe(200);

    const uploads = bot.newCalls().filter((c) => c.method === "sendDocument");
    // The failed attempt, then the one that went through: built again from the reference, and not repeated.
    expect(uploads).toHaveLength(2);
    const [, ...rows] = parseCsv((await documentOf(uploads[1])).text.slice(csvBom.length));
    expect(rows).toHaveLength(1);
  });
});
