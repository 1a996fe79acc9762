/**
 * End to end over HTTP: the local stack (dynalite, HTTP API, webhook handler) with the Telegram emulator
 * playing Telegram — updates go in through POST /telegram/webhook with the secret header, and the bot's
 * Bot API calls are observed at the emulator.
 */
import { env } from "../../contracts/runtime";
import type { LocalStack } from "../../local/stack";
import type { TelegramEmulator } from "../../local/telegram/emulator";
import { startTestStack } from "../helpers/local-stack";

describe("the local stack, end to end over HTTP", () => {
  let stack: LocalStack;
  let emulator: TelegramEmulator;

  beforeAll(async () => {
    stack = await startTestStack();
    if (!stack.emulator) throw new Error("the stack should run the built-in emulator");
    emulator = stack.emulator;
  });
  afterAll(async () => {
    await stack.stop();
  });

  /** The user sends text; resolves with the bot messages that arrived in reply. */
  async function say(userId: number, text: string) {
    const before = emulator.chatHistory(userId).length;
    emulator.sendText(userId, text);
    await emulator.idle({ timeoutMs: 10_000 });
    return emulator
      .chatHistory(userId)
      .slice(before)
      .filter((m) => m.sender === "bot");
  }

  /** The user presses the inline button whose callback data is `data` on the latest bot message with it. */
  async function press(userId: number, data: string) {
    const message = [...emulator.chatHistory(userId)]
      .reverse()
      .find((m) => m.sender === "bot" && JSON.stringify(m.replyMarkup ?? {}).includes(`"${data}"`));
    if (!message) throw new Error(`no button "${data}" in chat ${userId}`);
    const before = emulator.chatHistory(userId).length;
    emulator.pressButton(userId, message.messageId, data);
    await emulator.idle({ timeoutMs: 10_000 });
    return emulator
      .chatHistory(userId)
      .slice(before)
      .filter((m) => m.sender === "bot");
  }

  it("serves the health check and registers the webhook with a secret at start-up", async () => {
    const health = await fetch(`${stack.url}/healthz`);
    expect(health.status).toBe(200);
    const info = emulator.webhookInfo() as { url: string };
    expect(info.url).toBe(`${stack.url}/telegram/webhook`);
  });

  it("plays /start, a button, a whole questionnaire with an invalid answer, and a Q&A question", async () => {
    const user = emulator.createUser({ first_name: "Lan", language_code: "en" });

    const greeting = await say(user.id, "/start");
    expect(greeting[0]?.text).toContain("Lan");

    const list = await press(user.id, "m:forms");
    expect(JSON.stringify(list[0]?.replyMarkup)).toContain("q:learner-profile");
    await press(user.id, "q:learner-profile");
    const tooLong = await say(user.id, "L".repeat(65));
    expect(tooLong[0]?.text).toMatch(/1.*64/);
    await say(user.id, "Lan");
    await press(user.id, "a:1:beginner");
    await press(user.id, "t:2:lambda");
    const toggled = emulator
      .chatHistory(user.id)
      .filter((m) => m.sender === "bot")
      .at(-1);
    expect(toggled?.edited).toBe(true);
    await press(user.id, "d:2");
    await press(user.id, "a:3:en");
    const wrongHour = await say(user.id, "noon");
    expect(wrongHour[0]?.text).toMatch(/0.*23/);
    const summary = await say(user.id, "8");
    expect(summary[0]?.text).toContain("Lan");
    const saved = await press(user.id, "fc");
    expect(saved[0]?.text).toBeTruthy();

    const answer = await say(user.id, "What is the maximum timeout of a Lambda function?");
    expect(answer[0]?.text).toMatch(/15 minutes/);
  });

  it("does not answer a duplicate update twice when Telegram re-sends it", async () => {
    const user = emulator.createUser({ first_name: "Duc", language_code: "vi" });
    const update = {
      update_id: 987654,
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: user.id, type: "private", first_name: "Duc" },
        from: { id: user.id, is_bot: false, first_name: "Duc", language_code: "vi" },
        text: "/help",
        entities: [{ type: "bot_command", offset: 0, length: 5 }],
      },
    };
    const post = () =>
      fetch(`${stack.url}/telegram/webhook`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-telegram-bot-api-secret-token": stack.environment[env.webhookSecret] ?? "",
        },
        body: JSON.stringify(update),
      });

    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);

    expect(emulator.sendCount(user.id)).toBe(1);
  });

  it("refuses a webhook call without the secret (401) and a body that is not JSON (400)", async () => {
    const noSecret = await fetch(`${stack.url}/telegram/webhook`, { method: "POST", body: "{}" });
    const notJson = await fetch(`${stack.url}/telegram/webhook`, {
      method: "POST",
      headers: { "x-telegram-bot-api-secret-token": stack.environment[env.webhookSecret] ?? "" },
      body: "not json",
    });
    expect(noSecret.status).toBe(401);
    expect(notJson.status).toBe(400);
  });
});
