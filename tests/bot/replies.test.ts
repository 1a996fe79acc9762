import { HttpError } from "grammy";
import { replyLeaseMs } from "../../bot/replies";
import { createMemoryStorage } from "../../bot/storage/memory";
import { type ApiCall, createHarness, texts } from "../helpers/bot-harness";
import { passThroughChats } from "../helpers/chats";

/** Bot API calls of "crashed" processes: they never return while the test runs, and fail once it is over. */
const dead: ((error: Error) => void)[] = [];
const hang = () => new Promise<never>((_, reject) => dead.push(reject));
afterEach(() => {
  for (const release of dead.splice(0)) release(new Error("the process is gone"));
});

/** `/broadcast <text>` from an admin answers with two messages: the preview title, then the text with buttons. */
const twoReplies = (tag: string) => `/broadcast ${tag}`;

describe("replies are part of the saved state", () => {
  it("saves the replies with the chat state before sending them", async () => {
    const bot = createHarness();
    let savedBeforeSend: unknown;
    bot.bot.api.config.use(async (prev, method, payload, signal) => {
      savedBeforeSend ??= (await bot.storage.chats.load(7))?.state.replies;
      return prev(method, payload, signal);
    });

    await bot.say(7, "/help");

    expect(savedBeforeSend).toMatchObject({ sent: 0, calls: [{ method: "sendMessage" }] });
  });

  it("a Bot API timeout mid-flush answers 503, and the re-delivery sends the rest: nothing lost, nothing repeated", async () => {
    let failures = 0;
    const bot = createHarness({
      config: { adminUserIds: [7] },
      failMethod: (call) =>
        call.method === "sendMessage" && call.payload.text === "first-tag" && failures++ === 0
          ? new HttpError("Network request for 'sendMessage' failed!", new Error("timed out"))
          : undefined,
    });
    const update = bot.messageUpdate(7, twoReplies("first-tag"));

    expect(await bot.deliver(update)).toBe(503);
    const stored = (await bot.storage.chats.load(7))?.state.replies;
    expect(stored?.sent).toBe(1); // the preview went out; the tagged message is the one to send again
    expect(await bot.deliver(update)).toBe(200);
    expect(await bot.deliver(update)).toBe(200);

    const delivered = bot.calls.filter((call, i) => !(call.payload.text === "first-tag" && i === 1));
    expect(texts(delivered)).toEqual([expect.stringContaining("Preview"), "first-tag"]);
    expect((await bot.storage.chats.load(7))?.state.replies?.sent).toBe(2);
  });

  it("a re-delivery after a crash between save and send waits out the lease, then sends every reply once", async () => {
    const storage = createMemoryStorage();
    const crashed = createHarness({ storage, config: { adminUserIds: [7] } });
    // The first process dies once its state is saved: its Bot API calls never return.
    crashed.bot.api.config.use(hang);
    const update = crashed.messageUpdate(7, twoReplies("after-crash"));
    void crashed.deliver(update);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await storage.chats.load(7))?.state.replies?.calls).toHaveLength(2);

    const next = createHarness({ storage, config: { adminUserIds: [7] } });
    expect(await next.deliver(update)).toBe(503);
    expect(next.calls).toHaveLength(0);
    next.clock.advance(replyLeaseMs);
    expect(await next.deliver(update)).toBe(200);
    expect(await next.deliver(update)).toBe(200);

    expect(texts(next.calls)).toEqual([expect.stringContaining("Preview"), "after-crash"]);
  });

  it("a crash between two replies repeats at most the one in flight", async () => {
    const storage = createMemoryStorage();
    const crashed = createHarness({ storage, config: { adminUserIds: [7] } });
    const reached: ApiCall[] = [];
    // The process dies while its second message is on the wire: Telegram got it, the process never heard back.
    crashed.bot.api.config.use(async (_prev, method, payload) => {
      reached.push({ method, payload: payload as unknown as Record<string, unknown> });
      if (reached.length === 2) return hang();
      return { ok: true, result: { message_id: 1, date: 0, chat: { id: 7, type: "private" } } } as never;
    });
    const update = crashed.messageUpdate(7, twoReplies("in-flight"));
    void crashed.deliver(update);
    await new Promise((resolve) => setTimeout(resolve, 20));

    const next = createHarness({ storage, config: { adminUserIds: [7] } });
    next.clock.advance(replyLeaseMs);
    expect(await next.deliver(update)).toBe(200);

    // The preview was marked sent before the second message left, so only "in-flight" goes again.
    expect(texts([...reached, ...next.calls])).toEqual([
      expect.stringContaining("Preview"),
      "in-flight",
      "in-flight",
    ]);
  });

  it("costs no write beyond the state save for an update answered with one message", async () => {
    const storage = createMemoryStorage();
    let saves = 0;
    const bot = createHarness({
      storage: {
        ...storage,
        chats: {
          ...passThroughChats(storage.chats),
          save: (...args) => {
            saves += 1;
            return storage.chats.save(...args);
          },
        },
      },
      config: { adminUserIds: [7] },
    });
    await bot.say(7, "/help");
    saves = 0;

    await bot.say(7, "/help");
    expect(saves).toBe(1);
    saves = 0;
    await bot.say(7, twoReplies("two"));
    expect(saves).toBe(2); // the state, and one mark between the two messages
  });
});

describe("a process past its lease", () => {
  it("stops sending: another delivery may own the replies by then", async () => {
    const bot = createHarness({ config: { adminUserIds: [7] } });
    // The first message takes longer than the lease (a Lambda frozen mid-flush and thawed much later).
    bot.bot.api.config.use(async (prev, method, payload, signal) => {
      const result = await prev(method, payload, signal);
      bot.clock.advance(replyLeaseMs);
      return result;
    });

    expect(await bot.deliver(bot.messageUpdate(7, "/broadcast late"))).toBe(503);

    expect(texts(bot.calls)).toEqual([expect.stringContaining("Preview")]);
  });
});
