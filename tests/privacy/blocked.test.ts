/**
 * Users who block the bot: marked (with the time) from Telegram's `my_chat_member` update, unmarked when they
 * come back, and the sweep's decisions, on the real bot over the in-memory storage. The end-to-end run with
 * 403s, broadcasts, tips and the hourly schedule on DynamoDB is blocked-sweep.test.ts.
 */
import type { Update } from "grammy/types";
import { createUserDataEraser, storageParticipants } from "../../bot/privacy/eraser";
import { forgetBlockedUsers, sweepCatchUpDays } from "../../bot/privacy/sweep";
import { botInfo, createHarness } from "../helpers/bot-harness";

const day = 24 * 3600 * 1000;

/** The update Telegram sends when a user blocks (`kicked`) or unblocks (`member`) the bot in a private chat. */
function chatMemberUpdate(
  bot: ReturnType<typeof createHarness>,
  userId: number,
  status: "kicked" | "member",
  updateId: number,
): Update {
  const user = { id: userId, is_bot: false, first_name: `User${userId}` };
  const me = { ...botInfo };
  return {
    update_id: updateId,
    my_chat_member: {
      chat: { id: userId, type: "private", first_name: user.first_name },
      from: user,
      date: Math.floor(bot.clock.now().getTime() / 1000),
      old_chat_member:
        status === "kicked" ? { status: "member", user: me } : { status: "kicked", user: me, until_date: 0 },
      new_chat_member:
        status === "kicked" ? { status: "kicked", user: me, until_date: 0 } : { status: "member", user: me },
    },
  } as Update;
}

function sweep(bot: ReturnType<typeof createHarness>, forgetAfterDays = 180) {
  return forgetBlockedUsers({
    users: bot.storage.users,
    chats: bot.storage.chats,
    eraser: createUserDataEraser(storageParticipants(bot.storage)),
    clock: bot.clock,
    forgetAfterDays,
  });
}

describe("users who block the bot", () => {
  it("are marked blocked, with the time, by a my_chat_member 'kicked' update, and unmarked by 'member'", async () => {
    const bot = createHarness();
    await bot.say(5, "/subscribe");
    bot.clock.set("2026-06-01T12:00:00.000Z");

    expect(await bot.deliver(chatMemberUpdate(bot, 5, "kicked", 9001))).toBe(200);
    const blocked = await bot.storage.users.get(5);
    bot.clock.advance(day);
    await bot.deliver(chatMemberUpdate(bot, 5, "member", 9002));

    expect(blocked).toMatchObject({
      blocked: true,
      subscribed: false,
      blockedAt: "2026-06-01T12:00:00.000Z",
    });
    expect((await bot.storage.users.listBlockedOn("2026-06-01")).items.map((u) => u.userId)).toEqual([]);
    expect(await bot.storage.users.get(5)).toMatchObject({ blocked: false });
    expect((await bot.storage.users.get(5))?.blockedAt).toBeUndefined();
  });

  it("are unmarked by /start (Telegram's Restart) when the unblocking update was lost", async () => {
    const bot = createHarness();
    await bot.say(6, "/start");
    await bot.storage.users.update(6, { blocked: true });

    await bot.say(6, "/start");

    expect(await bot.storage.users.get(6)).toMatchObject({ blocked: false });
  });

  it("are forgotten once blocked longer than forgetBlockedAfterDays, not a day before", async () => {
    const bot = createHarness();
    bot.clock.set("2026-01-10T08:00:00.000Z");
    for (const userId of [7, 8]) await bot.say(userId, "/subscribe");
    bot.clock.set("2026-01-10T09:00:00.000Z");
    await bot.storage.users.update(7, { blocked: true }); // how the update below marks it: profile first,
    bot.clock.set("2026-01-10T09:00:05.000Z"); // then its own chat state, a moment later (not "wrote again")
    await bot.deliver(chatMemberUpdate(bot, 7, "kicked", 9101));

    bot.clock.set("2026-04-09T08:00:00.000Z"); // 89 days later
    const early = await sweep(bot, 90);
    bot.clock.set("2026-04-10T09:30:00.000Z"); // 90 days and half an hour
    const due = await sweep(bot, 90);
    const again = await sweep(bot, 90); // EventBridge delivered the event twice

    expect(early).toMatchObject({ forgotten: 0, unblocked: 0 });
    expect(early.days).toHaveLength(sweepCatchUpDays + 1);
    expect(due).toMatchObject({ forgotten: 1, unblocked: 0 });
    expect(again).toMatchObject({ forgotten: 0, unblocked: 0 });
    expect(await bot.storage.users.get(7)).toBeUndefined();
    expect(await bot.storage.chats.load(7)).toBeUndefined();
    expect(await bot.storage.users.get(8)).toMatchObject({ subscribed: true });
  });

  it("are unmarked instead of forgotten when they wrote to the bot after being marked", async () => {
    const bot = createHarness();
    bot.clock.set("2026-01-10T08:00:00.000Z");
    await bot.say(9, "/start");
    await bot.storage.users.update(9, { blocked: true }); // a 403 during a broadcast
    bot.clock.set("2026-02-01T08:00:00.000Z");
    await bot.say(9, "hello again"); // the my_chat_member 'member' update never arrived

    bot.clock.set("2026-07-20T08:00:00.000Z");
    const summary = await sweep(bot);

    expect(summary).toMatchObject({ forgotten: 0, unblocked: 1 });
    expect(await bot.storage.users.get(9)).toMatchObject({ blocked: false });
  });
});
