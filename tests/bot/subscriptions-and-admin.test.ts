import { buttons, createHarness, texts } from "../helpers/bot-harness";

describe("subscriptions", () => {
  it("subscribes with the default hour, suggests the profile, and lists the user as due at that hour", async () => {
    const bot = createHarness();
    await bot.say(7, "/start");

    const calls = await bot.say(7, "/subscribe");

    expect(texts(calls)[0]).toBe(
      bot.content.messages["subscribe.done"]?.en?.replace("{hour}", "9").replace("{zone}", "UTC"),
    );
    expect(buttons(calls).map((b) => b.data)).toContain("q:learner-profile");
    expect((await bot.storage.users.listSubscribersDue(9)).items.map((u) => u.userId)).toEqual([7]);
  });

  it("says so when already subscribed, and unsubscribes idempotently", async () => {
    const bot = createHarness();
    await bot.say(7, "/subscribe");

    expect(texts(await bot.say(7, "/subscribe"))[0]).toBe(
      bot.content.messages["subscribe.already"]?.en?.replace("{hour}", "9").replace("{zone}", "UTC"),
    );
    expect(texts(await bot.say(7, "/unsubscribe"))[0]).toBe(bot.content.messages["unsubscribe.done"]?.en);
    expect(texts(await bot.say(7, "/unsubscribe"))[0]).toBe(
      bot.content.messages["unsubscribe.notSubscribed"]?.en,
    );
    expect((await bot.storage.users.listSubscribersDue(9)).items).toHaveLength(0);
  });

  it("flips the subscription from the tips menu button", async () => {
    const bot = createHarness();
    const menu = await bot.press(7, "m:tips");
    expect(buttons(menu).map((b) => b.data)).toEqual(["sub", "th:"]);

    await bot.press(7, "sub");

    expect(buttons(await bot.press(7, "m:tips")).map((b) => b.data)).toEqual(["unsub", "th:"]);
  });
});

describe("admin broadcasts", () => {
  it("refuses /broadcast from a non-admin politely and records nothing", async () => {
    const bot = createHarness({ config: { adminUserIds: [1] } });

    const calls = await bot.say(7, "/broadcast hello everyone");

    expect(texts(calls)).toEqual([bot.content.messages["broadcast.refused"]?.en]);
    expect(bot.broadcasts.recorded).toHaveLength(0);
  });

  it("previews an admin's broadcast and records it once on Send, even if Send is delivered twice", async () => {
    const bot = createHarness({ config: { adminUserIds: [1] } });

    const preview = await bot.say(1, "/broadcast New tips are out!");
    expect(texts(preview)).toContain("New tips are out!");
    expect(buttons(preview).map((b) => b.data)).toEqual(["bc:send", "bc:cancel"]);
    const send = bot.callbackUpdate(1, "bc:send");
    await bot.deliver(send);
    await bot.deliver(send);

    expect(bot.broadcasts.recorded).toHaveLength(1);
    expect(bot.broadcasts.recorded[0]).toMatchObject({
      text: "New tips are out!",
      requestedBy: 1,
      progressChatId: 1,
    });
  });

  it("records nothing when the admin cancels, and explains usage for an empty text", async () => {
    const bot = createHarness({ config: { adminUserIds: [1] } });
    await bot.say(1, "/broadcast Hello");
    await bot.press(1, "bc:cancel");
    await bot.press(1, "bc:send");

    expect(bot.broadcasts.recorded).toHaveLength(0);
    expect(texts(await bot.say(1, "/broadcast"))).toEqual([bot.content.messages["broadcast.usage"]?.en]);
  });
});
