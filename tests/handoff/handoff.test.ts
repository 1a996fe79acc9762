/**
 * Human handoff through the real bot (bot harness: real update JSON in, Bot API calls captured by a grammY
 * transformer): a declined question handed to the support chat, staff replies delivered to the user in the
 * same invocation, follow-ups threaded, /close, Done, 24 h expiry on the fake clock, duplicates, two staff at
 * once and the flood limits.
 */
import type { Update } from "grammy/types";
import { threadIdInText } from "../../bot/handoff/state";
import { type ApiCall, botInfo, buttons, createHarness, texts } from "../helpers/bot-harness";

const support = -1001234567;
const staff = { id: 7701, is_bot: false, first_name: "Sam", username: "sam_support" };
const otherStaff = { id: 7702, is_bot: false, first_name: "Kim" };
/** A text the rule tier cannot place: the bot declines it. */
const unanswerable = "my cat ate the charger, what now";

function harness(config: { supportChatId?: number } = { supportChatId: support }) {
  const bot = createHarness({ config });
  bot.user(42, { first_name: "Lan", language_code: "vi" });
  let updateId = 900_000;
  let messageId = 50_000;

  /** A staff message in the support chat, replying to the bot's message `replyTo` (or to nothing). */
  function staffUpdate(
    text: string | undefined,
    replyTo?: { message_id: number; text?: string },
    from: typeof staff | typeof otherStaff = staff,
  ): Update {
    const command = text?.match(/^\/[\w@]+/);
    const chat = { id: support, type: "supergroup", title: "Support" };
    return {
      update_id: ++updateId,
      message: {
        message_id: ++messageId,
        date: Math.floor(bot.clock.now().getTime() / 1000),
        chat,
        from,
        ...(text === undefined
          ? { photo: [{ file_id: "AgAC-photo", file_unique_id: "u1", width: 10, height: 10 }] }
          : { text }),
        ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
        ...(replyTo
          ? {
              reply_to_message: {
                message_id: replyTo.message_id,
                date: 0,
                chat,
                from: { ...botInfo },
                text: replyTo.text ?? "(a message of the bot)",
              },
            }
          : {}),
      },
    } as Update;
  }

  /** Delivers an update and returns the calls it made (throws on a non-200). */
  async function deliver(update: Update): Promise<ApiCall[]> {
    bot.newCalls();
    const status = await bot.deliver(update);
    if (status !== 200) throw new Error(`webhook answered ${status}`);
    return bot.newCalls();
  }

  /** The user's question declined, then "Ask a person" pressed: the thread's id and its root message id. */
  async function openThread(question = unanswerable) {
    const declined = await bot.say(42, question);
    const ask = buttons(declined).find((button) => button.data.startsWith("ho:ask:"));
    if (!ask) throw new Error("no Ask a person button");
    const pressed = await bot.press(42, ask.data);
    const posted = toChat(pressed, support);
    const threadId = threadIdInText(String(posted[0]?.payload.text));
    if (!threadId) throw new Error("no thread tag in the support message");
    const thread = await bot.handoff.get(threadId);
    return { threadId, root: thread?.rootMessageId as number, pressed, posted };
  }

  return { bot, staffUpdate, deliver, openThread };
}

/** The calls addressed to one chat. */
function toChat(calls: ApiCall[], chatId: number): ApiCall[] {
  return calls.filter((call) => call.payload.chat_id === chatId);
}

describe("human handoff", () => {
  it("offers nothing when no support chat is configured", async () => {
    const { bot } = harness({});
    const declined = await bot.say(42, unanswerable);
    expect(buttons(declined).some((button) => button.data.startsWith("ho:"))).toBe(false);
    const human = await bot.say(42, "/human please");
    expect(toChat(human, support)).toEqual([]);
    expect(texts(human)).toEqual([bot.content.messages["fallback.text"]?.vi]);
  });

  it("hands a declined question to the support chat with name, language and what the bot tried, never ids", async () => {
    const { bot, openThread } = harness();
    const { posted, pressed, root, threadId } = await openThread();

    expect(posted).toHaveLength(1);
    const text = String(posted[0]?.payload.text);
    expect(text).toContain("Lan");
    expect(text).toContain("(vi)");
    expect(text).toContain(unanswerable);
    expect(text).toContain("out_of_scope");
    expect(text).toContain(`#t_${threadId}`);
    // The user id (42) nowhere as a number of its own (the random thread tag, or a score such as 0.42, may
    // happen to contain the digits).
    expect(text.replace(`#t_${threadId}`, "")).not.toMatch(/(?<![\w.])42(?![\w.%])/);
    expect(JSON.stringify(posted)).not.toMatch(/"42"|username/);
    expect(root).toBeGreaterThan(0);
    expect(texts(toChat(pressed, 42))).toEqual([bot.content.messages["handoff.opened"]?.vi]);
    expect(buttons(toChat(pressed, 42)).map((button) => button.data)).toEqual(["ho:done"]);
  });

  it("delivers a staff reply to the user in the same invocation, and threads the user's follow-ups", async () => {
    const { bot, openThread, deliver, staffUpdate } = harness();
    const { root } = await openThread();

    const reply = await deliver(staffUpdate("Unplug it and buy a new one 🙂", { message_id: root }));
    const toUser = toChat(reply, 42);
    expect(texts(toUser)).toEqual(["💬 Đội ngũ hỗ trợ:\nUnplug it and buy a new one 🙂"]);
    expect(toChat(reply, support)).toEqual([]);

    const followUp = await bot.say(42, "thanks! and the cable?");
    const posted = toChat(followUp, support);
    expect(posted).toHaveLength(1);
    expect(String(posted[0]?.payload.text)).toContain("thanks! and the cable?");
    expect(posted[0]?.payload.reply_parameters).toMatchObject({ message_id: root });
    expect(toChat(followUp, 42)).toEqual([]);

    // A reply to the follow-up (not to the root) finds the same thread through the recorded message id.
    const followUpId = (await bot.handoff.get(threadIdInText(String(posted[0]?.payload.text)) ?? ""))
      ?.supportMessageIds[1] as number;
    const second = await deliver(staffUpdate("The cable too.", { message_id: followUpId }, otherStaff));
    expect(texts(toChat(second, 42))).toEqual(["💬 Đội ngũ hỗ trợ:\nThe cable too."]);
  });

  it("copies media both ways instead of forwarding (no account shown)", async () => {
    const { bot, openThread, deliver, staffUpdate } = harness();
    const { root } = await openThread();
    const photo = await deliver({
      update_id: 123_456,
      message: {
        message_id: 777,
        date: 0,
        chat: { id: 42, type: "private", first_name: "Lan" },
        from: { id: 42, is_bot: false, first_name: "Lan" },
        photo: [{ file_id: "AgAC-user", file_unique_id: "u2", width: 10, height: 10 }],
      },
    } as Update);
    expect(toChat(photo, support)).toEqual([
      expect.objectContaining({
        method: "copyMessage",
        payload: expect.objectContaining({ from_chat_id: 42, message_id: 777 }),
      }),
    ]);
    const staffPhoto = await deliver(staffUpdate(undefined, { message_id: root }));
    expect(toChat(staffPhoto, 42)).toEqual([
      expect.objectContaining({
        method: "copyMessage",
        payload: expect.objectContaining({ from_chat_id: support }),
      }),
    ]);
    expect(bot.logger.entries.filter((entry) => entry.level === "error")).toEqual([]);
  });

  it("/close in reply ends the thread: the user is told once, and their next message is the bot's again", async () => {
    const { bot, openThread, deliver, staffUpdate } = harness();
    const { root } = await openThread();

    const closed = await deliver(staffUpdate("/close", { message_id: root }));
    expect(texts(toChat(closed, 42))).toEqual([bot.content.messages["handoff.closedByStaff"]?.vi]);
    expect(texts(toChat(closed, support))[0]).toContain("Lan");

    const again = await deliver(staffUpdate("/close", { message_id: root }, otherStaff));
    expect(toChat(again, 42)).toEqual([]);
    expect(texts(again)[0]).toContain("already closed");
    const late = await deliver(staffUpdate("one more thing", { message_id: root }));
    expect(toChat(late, 42)).toEqual([]);

    const next = await bot.say(42, "/help");
    expect(toChat(next, support)).toEqual([]);
    const text = await bot.say(42, "hello there");
    expect(toChat(text, support)).toEqual([]);
    expect((await bot.storage.chats.load(42))?.state.handoff?.thread).toBeUndefined();
  });

  it("/close without a reply, and replies to no thread, say how to do it; staff chatter gets no answer", async () => {
    const { openThread, deliver, staffUpdate } = harness();
    await openThread();
    expect(texts(await deliver(staffUpdate("/close")))[0]).toContain("reply /close");
    expect(await deliver(staffUpdate("coffee anyone?"))).toEqual([]);
    expect(texts(await deliver(staffUpdate("hm?", { message_id: 3 })))[0]).toContain("can't tell");
  });

  it("finds the thread from its tag when the message id was not recorded", async () => {
    const { bot, openThread, deliver, staffUpdate } = harness();
    const { threadId } = await openThread();
    const reply = await deliver(
      staffUpdate("via the tag", { message_id: 99_999, text: `Lan · #t_${threadId}\nhi` }),
    );
    expect(texts(toChat(reply, 42))).toEqual(["💬 Đội ngũ hỗ trợ:\nvia the tag"]);
    expect(bot.logger.entries.filter((entry) => entry.level === "error")).toEqual([]);
  });

  it("the user ends it with Done: staff are told, later staff replies are not delivered", async () => {
    const { bot, openThread, deliver, staffUpdate } = harness();
    const { root } = await openThread();
    const done = await bot.press(42, "ho:done");
    expect(texts(toChat(done, 42))).toEqual([bot.content.messages["handoff.endedByUser"]?.vi]);
    expect(texts(toChat(done, support))[0]).toMatch(/Lan ended conversation #t_/);
    const late = await deliver(staffUpdate("are you there?", { message_id: root }));
    expect(toChat(late, 42)).toEqual([]);
    expect(texts(await bot.say(42, "/done"))).toEqual([bot.content.messages["handoff.notOpen"]?.vi]);
  });

  it("ends after 24 hours: the user's message is not passed on and they can ask again; late staff replies are refused", async () => {
    const { bot, openThread, deliver, staffUpdate } = harness();
    const { root } = await openThread();
    bot.clock.advance(23 * 3600_000);
    expect(toChat(await bot.say(42, "still there?"), support)).toHaveLength(1);

    bot.clock.advance(3600_000);
    const expired = await bot.say(42, "hello?");
    expect(texts(toChat(expired, 42))).toEqual([bot.content.messages["handoff.expired"]?.vi]);
    expect(buttons(expired).some((button) => button.data.startsWith("ho:ask:"))).toBe(true);
    expect(texts(toChat(expired, support))[0]).toContain("ended after 24 hours");

    const late = await deliver(staffUpdate("sorry for the delay", { message_id: root }));
    expect(toChat(late, 42)).toEqual([]);
    expect(texts(late)[0]).toContain("already closed");
  });

  it("Done after the 24 hours says the conversation ended by itself, on both sides", async () => {
    const { bot, openThread } = harness();
    await openThread();
    bot.clock.advance(25 * 3600_000);
    const done = await bot.press(42, "ho:done");
    expect(texts(toChat(done, 42))).toEqual([bot.content.messages["handoff.closedExpired"]?.vi]);
    expect(texts(toChat(done, support))[0]).toContain("ended after 24 hours");
  });

  it("leaves /close meant for another bot in the group alone", async () => {
    const { openThread, deliver, staffUpdate } = harness();
    const { root } = await openThread();
    expect(await deliver(staffUpdate("/close@other_bot", { message_id: root }))).toEqual([]);
    const closed = await deliver(staffUpdate(`/close@${botInfo.username}`, { message_id: root }));
    expect(toChat(closed, 42)).toHaveLength(1);
  });

  it("tells both sides when staff are the first to find the 24 hours over", async () => {
    const { bot, openThread, deliver, staffUpdate } = harness();
    const { root } = await openThread();
    bot.clock.advance(24 * 3600_000 + 1);
    const late = await deliver(staffUpdate("sorry for the delay", { message_id: root }));
    expect(texts(toChat(late, 42))).toEqual([bot.content.messages["handoff.closedExpired"]?.vi]);
    expect(texts(toChat(late, support))[0]).toContain("was not delivered");
  });

  it("sends nothing twice when Telegram re-delivers an update, in either chat", async () => {
    const { bot, openThread, deliver, staffUpdate } = harness();
    const { root } = await openThread();
    const reply = staffUpdate("only once", { message_id: root });
    expect(toChat(await deliver(reply), 42)).toHaveLength(1);
    expect(await deliver(reply)).toEqual([]);

    const followUp = bot.messageUpdate(42, "me too, once");
    expect(toChat(await deliver(followUp), support)).toHaveLength(1);
    expect(await deliver(followUp)).toEqual([]);
  });

  it("delivers both replies, each once, when two staff answer at the same moment", async () => {
    const { bot, openThread, staffUpdate } = harness();
    const { root } = await openThread();
    bot.newCalls();
    const statuses = await Promise.all([
      bot.deliver(staffUpdate("answer from Sam", { message_id: root }, staff)),
      bot.deliver(staffUpdate("answer from Kim", { message_id: root }, otherStaff)),
    ]);
    expect(statuses).toEqual([200, 200]);
    expect(texts(toChat(bot.newCalls(), 42)).sort()).toEqual([
      "💬 Đội ngũ hỗ trợ:\nanswer from Kim",
      "💬 Đội ngũ hỗ trợ:\nanswer from Sam",
    ]);
    // They raced on the support chat's state: the loser was handled again on the fresh state.
    expect(bot.logger.entries.some((entry) => entry.message.includes("concurrently"))).toBe(true);
  });

  it("tells the user once when two staff /close at the same moment", async () => {
    const { bot, openThread, staffUpdate } = harness();
    const { root } = await openThread();
    bot.newCalls();
    await Promise.all([
      bot.deliver(staffUpdate("/close", { message_id: root }, staff)),
      bot.deliver(staffUpdate("/close", { message_id: root }, otherStaff)),
    ]);
    const calls = bot.newCalls();
    expect(texts(toChat(calls, 42))).toEqual([bot.content.messages["handoff.closedByStaff"]?.vi]);
    expect(texts(toChat(calls, support)).filter((text) => text.includes("already closed"))).toHaveLength(1);
    expect(bot.logger.entries.some((entry) => entry.message.includes("concurrently"))).toBe(true);
  });

  it("limits a user to 5 messages a minute into the thread and one new thread per 10 minutes, politely", async () => {
    const { bot, openThread } = harness();
    await openThread();
    for (let n = 1; n <= 5; n++) expect(toChat(await bot.say(42, `message ${n}`), support)).toHaveLength(1);
    const refused = await bot.say(42, "message 6");
    expect(toChat(refused, support)).toEqual([]);
    expect(texts(refused)).toEqual([bot.content.messages["handoff.slowDown"]?.vi]);
    // Told once per minute: more messages in the same minute are dropped without another warning.
    expect(await bot.say(42, "message 6b")).toEqual([]);
    bot.clock.advance(60_000);
    expect(toChat(await bot.say(42, "message 7"), support)).toHaveLength(1);

    await bot.press(42, "ho:done");
    const tooSoon = await bot.say(42, "/human again please");
    expect(toChat(tooSoon, support)).toEqual([]);
    expect(texts(tooSoon)[0]).toContain("9");
    bot.clock.advance(9 * 60_000);
    const opened = await bot.say(42, "/human again please");
    expect(texts(toChat(opened, support))[0]).toContain("again please");
  });

  it("/human opens a thread directly, with the text after it as the question", async () => {
    const { bot } = harness();
    const opened = await bot.say(42, "/human Can I get an invoice?");
    const posted = texts(toChat(opened, support));
    expect(posted[0]).toContain("Can I get an invoice?");
    expect(posted[0]).toContain("asked for a person directly");
    expect(texts(await bot.say(42, "/human"))).toEqual([bot.content.messages["handoff.alreadyOpen"]?.vi]);
  });

  it("/chatid in a group tells the id to configure, with or without a support chat", async () => {
    for (const config of [{}, { supportChatId: support }]) {
      const { deliver, staffUpdate } = harness(config);
      const answered = texts(await deliver(staffUpdate("/chatid")));
      expect(answered).toEqual([expect.stringContaining(`pulumi config set supportChatId ${support}`)]);
    }
  });

  it("an old Ask a person button (for an earlier question) does nothing", async () => {
    const { bot } = harness();
    await bot.say(42, unanswerable);
    await bot.say(42, "another odd one, zebra");
    const pressed = await bot.press(42, "ho:ask:1");
    expect(toChat(pressed, support)).toEqual([]);
  });

  it("an ordinary update after a thread never reads the thread (tests/handoff/requests.test.ts counts requests)", async () => {
    const { bot, openThread } = harness();
    await openThread();
    await bot.press(42, "ho:done");
    let reads = 0;
    const store = bot.handoff;
    const get = store.get.bind(store);
    store.get = (id) => {
      reads++;
      return get(id);
    };
    await bot.say(42, "/help");
    await bot.say(42, unanswerable);
    expect(reads).toBe(0);
  });
});
