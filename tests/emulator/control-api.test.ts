import http from "node:http";
import type { AddressInfo } from "node:net";
import { InlineKeyboard } from "grammy";
import { type EmulatorEvent, TelegramEmulator, type TranscriptEntry } from "../../local/telegram/emulator";
import { botOn, sleep } from "./helpers";

describe("the /_emulator/ control API", () => {
  let emulator: TelegramEmulator;
  let base: string;

  beforeEach(async () => {
    emulator = new TelegramEmulator();
    base = `${await emulator.start()}/_emulator`;
  });

  afterEach(() => emulator.stop());

  async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
    const response = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  it("creates and lists simulated users", async () => {
    const created = await call("POST", "/users", { id: 7001, first_name: "Ada", language_code: "de" });
    await call("POST", "/users", { first_name: "Anonymous" });
    const listed = await call<{ users: Array<{ id: number; first_name: string; blocked: boolean }> }>(
      "GET",
      "/users",
    );

    expect(created).toEqual({
      status: 201,
      body: { user: { id: 7001, first_name: "Ada", language_code: "de" } },
    });
    expect(listed.body.users.map((user) => [user.first_name, user.blocked])).toEqual([
      ["Ada", false],
      ["Anonymous", false],
    ]);
  });

  it("lets a user write and press buttons, and shows the chat transcript", async () => {
    emulator.createUser({ id: 7002, first_name: "Bob" });
    const written = await call<{ update: { update_id: number; message: { text: string } } }>(
      "POST",
      "/users/7002/messages",
      { text: "/start" },
    );
    const menu = await botOn(emulator).api.sendMessage(7002, "Menu", {
      reply_markup: new InlineKeyboard().text("Help", "help"),
    });
    const pressed = await call<{ update: { callback_query: { data: string } } }>(
      "POST",
      "/users/7002/callback",
      {
        message_id: menu.message_id,
        data: "help",
      },
    );
    const wrongButton = await call("POST", "/users/7002/callback", {
      message_id: menu.message_id,
      data: "nope",
    });
    const transcript = await call<{ messages: TranscriptEntry[] }>("GET", "/chats/7002/messages");

    expect(written.status).toBe(201);
    expect(written.body.update.message.text).toBe("/start");
    expect(pressed.body.update.callback_query.data).toBe("help");
    expect(wrongButton).toMatchObject({ status: 400, body: { error: "InlineButtonNotFoundError" } });
    expect(transcript.body.messages.map((entry) => [entry.sender, entry.text, entry.replyMarkup])).toEqual([
      ["user", "/start", undefined],
      ["bot", "Menu", { inline_keyboard: [[{ text: "Help", callback_data: "help" }]] }],
    ]);
  });

  it("long-polls events so the web chat sees new and edited bot messages live", async () => {
    emulator.createUser({ id: 7003, first_name: "Cy" });
    const since = emulator.lastEventSeq;
    const bot = botOn(emulator);

    const waiting = call<{ events: EmulatorEvent[]; lastSeq: number }>(
      "GET",
      `/events?since=${since}&chat_id=7003`,
    );
    await sleep(30);
    const sent = await bot.api.sendMessage(7003, "Thinking…");
    const first = await waiting;
    const next = call<{ events: EmulatorEvent[] }>("GET", `/events?since=${first.body.lastSeq}`);
    await sleep(30);
    await bot.api.editMessageText(7003, sent.message_id, "Done");
    const second = await next;

    expect(first.body.events).toMatchObject([
      { type: "message", chatId: 7003, entry: { text: "Thinking…" } },
    ]);
    expect(second.body.events).toMatchObject([{ type: "edit", entry: { text: "Done", edited: true } }]);
  });

  it("answers an events long poll empty after its timeout", async () => {
    const started = Date.now();
    const answer = await call<{ events: EmulatorEvent[] }>(
      "GET",
      `/events?since=${emulator.lastEventSeq}&timeout_ms=50`,
    );

    expect(answer.body.events).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it("switches limits and blocked users at run time", async () => {
    emulator.createUser({ id: 7004 });
    const bot = botOn(emulator);

    const changed = await call("POST", "/settings", { limits: { enabled: true, perChatBurst: 1 } });
    const afterBlock = await call("POST", "/users/7004/block");
    const blockedSend = await bot.api
      .sendMessage(7004, "x")
      .catch((error: { error_code: number }) => error.error_code);
    await call("POST", "/users/7004/unblock");
    const sends = await Promise.allSettled([bot.api.sendMessage(7004, "1"), bot.api.sendMessage(7004, "2")]);
    const invalid = await call("POST", "/settings", { limits: { bulkPerSecond: -1 } });

    expect(changed.body).toMatchObject({ limits: { enabled: true, perChatBurst: 1 }, blockedUserIds: [] });
    expect(afterBlock.body).toMatchObject({ blocked: true });
    expect(blockedSend).toBe(403);
    expect(sends.map((result) => result.status)).toEqual(["fulfilled", "rejected"]);
    expect(invalid).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining("positive number") },
    });
  });

  it("injects faults and reports counters", async () => {
    emulator.createUser({ id: 7005 });
    const bot = botOn(emulator);

    await call("POST", "/faults", { faults: [{ method: "sendMessage", response: 502 }] });
    await bot.api.sendMessage(7005, "a").catch(() => undefined);
    await bot.api.sendMessage(7005, "b");
    const stats = await call("GET", "/stats");

    expect(stats.body).toMatchObject({ faultsServed: 1, sentMessages: 1, sendsByChat: { "7005": 1 } });
  });

  it("serves uploaded files for the web chat", async () => {
    emulator.createUser({ id: 7006 });
    const { InputFile } = await import("grammy");
    const photo = await botOn(emulator).api.sendPhoto(
      7006,
      new InputFile(Buffer.from("png-bytes"), "chart.png"),
    );
    const entry = emulator.lastBotMessage(7006);

    const response = await fetch(`${emulator.apiRoot}${entry?.media?.url}`);

    expect(entry?.media).toMatchObject({ kind: "photo", fileId: photo.photo?.[0]?.file_id });
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(await response.text()).toBe("png-bytes");
  });

  it("explains unknown routes and unknown users", async () => {
    expect(await call("GET", "/nothing-here")).toMatchObject({
      status: 404,
      body: { routes: expect.any(Array) },
    });
    expect(await call("POST", "/users/999/messages", { text: "hi" })).toMatchObject({
      status: 404,
      body: { error: "UnknownUserError", message: expect.stringContaining("createUser") },
    });
  });
});

describe("mounting the emulator on another server", () => {
  it("serves /bot... and /_emulator/... through handle() and leaves other paths to the host", async () => {
    const emulator = new TelegramEmulator();
    const host = http.createServer((req, res) => {
      if (emulator.handle(req, res)) return;
      res.writeHead(200, { "content-type": "text/plain" }).end("web chat");
    });
    await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
    emulator.useBaseUrl(`http://127.0.0.1:${(host.address() as AddressInfo).port}/`);
    try {
      emulator.createUser({ id: 7100 });
      const sent = await botOn(emulator).api.sendMessage(7100, "mounted");
      const page = await fetch(`${emulator.apiRoot}/index.html`);
      const users = await fetch(`${emulator.apiRoot}/_emulator/users`);

      expect(sent.text).toBe("mounted");
      expect(await page.text()).toBe("web chat");
      expect(users.status).toBe(200);
    } finally {
      await emulator.stop();
      await new Promise<void>((resolve) => {
        host.close(() => resolve());
        host.closeAllConnections();
      });
    }
  });

  it("says how to fix a missing address", () => {
    expect(() => new TelegramEmulator().apiRoot).toThrow(/await emulator.start\(\) first/);
  });
});
