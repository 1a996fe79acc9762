/**
 * The deploy-time Telegram calls, against a fake Bot API on loopback: setWebhook and setMyCommands on
 * create and on change, deleteWebhook on destroy, useful errors without the token, a random secret that
 * stays stable, and providers that still work after Pulumi serialises them into a fresh process.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { loadContent } from "../../content/load";
import { botCommandsFrom } from "../../contracts/commands";
import { randomTokenProvider } from "../../infra/components/secrets";
import {
  botInfoProvider,
  type WebhookRegistrationState,
  webhookRegistrationProvider,
} from "../../infra/components/webhook-registration";

interface Call {
  token: string;
  method: string;
  body: Record<string, unknown>;
}

const calls: Call[] = [];
/** Bot ids whose token the fake API refuses (401), like a revoked token. */
const revoked = new Set<string>();
/** The webhook the fake API holds per bot id, as getWebhookInfo reports it. */
const webhooks = new Map<string, Record<string, unknown>>();
let server: Server;
let apiRoot: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk) => {
      raw += chunk;
    });
    request.on("end", () => {
      const [, botToken = "", method = ""] = /^\/bot([^/]+)\/(\w+)$/.exec(request.url ?? "") ?? [];
      calls.push({ token: botToken, method, body: raw ? JSON.parse(raw) : {} });
      response.setHeader("content-type", "application/json");
      if (revoked.has(botToken.split(":")[0] ?? "")) {
        response.statusCode = 401;
        response.end(JSON.stringify({ ok: false, error_code: 401, description: "Unauthorized" }));
      } else if (method === "setWebhook" && String(JSON.parse(raw).url).startsWith("https://")) {
        const { url, allowed_updates, max_connections } = JSON.parse(raw);
        webhooks.set(botToken.split(":")[0] ?? "", { url, allowed_updates, max_connections });
        response.end(JSON.stringify({ ok: true, result: true }));
      } else if (method === "deleteWebhook") {
        webhooks.delete(botToken.split(":")[0] ?? "");
        response.end(JSON.stringify({ ok: true, result: true }));
      } else if (method === "getWebhookInfo") {
        const info = webhooks.get(botToken.split(":")[0] ?? "") ?? { url: "" };
        response.end(JSON.stringify({ ok: true, result: { pending_update_count: 0, ...info } }));
      } else if (method === "getMe") {
        response.end(
          JSON.stringify({
            ok: true,
            result: { id: Number(botToken.split(":")[0]), is_bot: true, username: "fake_bot" },
          }),
        );
      } else if (method === "setWebhook" && !String(JSON.parse(raw).url).startsWith("https://")) {
        response.statusCode = 400;
        response.end(
          JSON.stringify({
            ok: false,
            error_code: 400,
            description: "Bad Request: bad webhook: HTTPS url must be provided",
          }),
        );
      } else {
        response.end(JSON.stringify({ ok: true, result: true }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  calls.length = 0;
  revoked.clear();
  webhooks.clear();
});

const state = (overrides: Partial<WebhookRegistrationState> = {}): WebhookRegistrationState => ({
  token: "111:first-token",
  url: "https://abc.execute-api.us-east-1.amazonaws.com/telegram/webhook",
  secretToken: "s3cret_token-value",
  allowedUpdates: ["message", "callback_query", "my_chat_member"],
  maxConnections: 40,
  commands: botCommandsFrom(loadContent()),
  apiRoot,
  ...overrides,
});
const provider = webhookRegistrationProvider as Required<pulumi.dynamic.ResourceProvider>;

describe("webhook registration", () => {
  test("create calls setWebhook with URL, secret_token, allowed_updates and max_connections, then the menus", async () => {
    const result = await provider.create(state());
    expect(result.id).toBe("webhook-bot111");
    expect(calls.map((call) => call.method)).toEqual([
      "setWebhook",
      "setMyCommands",
      "setMyCommands",
      "setMyCommands",
    ]);
    expect(calls[0]?.body).toEqual({
      url: state().url,
      secret_token: "s3cret_token-value",
      allowed_updates: ["message", "callback_query", "my_chat_member"],
      max_connections: 40,
    });
    expect(calls.slice(1).map((call) => call.body.language_code ?? "default")).toEqual([
      "default",
      "vi",
      "zh",
    ]);
    expect(calls.every((call) => call.token === "111:first-token")).toBe(true);
  });

  test("any change of URL, secret, allowed updates or connections is an update; another bot is a replacement", async () => {
    const olds = state();
    await provider.create(olds);
    expect(await provider.diff("id", olds, state())).toEqual({ changes: false, replaces: [] });
    for (const change of [
      { url: "https://new.example/telegram/webhook" },
      { secretToken: "rotated" },
      { allowedUpdates: ["message"] },
      { maxConnections: 10 },
      { token: "111:rotated-token" },
    ]) {
      expect(await provider.diff("id", olds, state(change))).toEqual({ changes: true, replaces: [] });
    }
    expect(await provider.diff("id", olds, state({ token: "222:other-bot" }))).toEqual({
      changes: true,
      replaces: ["token"],
    });
  });

  test("a webhook deleted behind the stack's back is re-registered by `pulumi up` and seen by `pulumi refresh`", async () => {
    await provider.create(state());
    // e.g. `npm start` with the production token switches the bot to long polling (deleteWebhook).
    await fetch(`${apiRoot}/bot111:first-token/deleteWebhook`, { method: "POST" });
    expect(await provider.diff("id", state(), state())).toEqual({ changes: true, replaces: [] });
    const refreshed = await provider.read("webhook-bot111", state());
    expect(refreshed.props.url).toBe("");
    expect(refreshed.props.secretToken).toBe(state().secretToken);
    await provider.update("id", refreshed.props, state());
    expect(webhooks.get("111")?.url).toBe(state().url);
    expect(await provider.diff("id", state(), state())).toEqual({ changes: false, replaces: [] });
  });

  test("an unreachable Bot API while diffing is no evidence of drift", async () => {
    const offline = state({ apiRoot: "http://127.0.0.1:1" });
    expect(await provider.diff("id", offline, offline)).toEqual({ changes: false, replaces: [] });
  });

  test("update re-registers, and removes the menu of a language no longer listed", async () => {
    const news = state({
      url: "https://new.example/telegram/webhook",
      commands: botCommandsFrom(loadContent()).filter((set) => set.languageCode !== "zh"),
    });
    await provider.update("id", state(), news);
    expect(calls.map((call) => `${call.method}:${call.body.language_code ?? ""}`)).toEqual([
      "setWebhook:",
      "setMyCommands:",
      "setMyCommands:vi",
      "deleteMyCommands:zh",
    ]);
    expect(calls[0]?.body.url).toBe("https://new.example/telegram/webhook");
  });

  test("delete calls deleteWebhook (keeping pending updates) and removes the menus", async () => {
    await provider.delete("id", state());
    expect(calls[0]).toMatchObject({ method: "deleteWebhook", body: { drop_pending_updates: false } });
    expect(calls.slice(1).map((call) => call.method)).toEqual([
      "deleteMyCommands",
      "deleteMyCommands",
      "deleteMyCommands",
    ]);
  });

  test("delete with a revoked token does not block `pulumi destroy`", async () => {
    revoked.add("111");
    await expect(provider.delete("id", state())).resolves.toBeUndefined();
  });

  test("a refusal explains the fix and never shows the token", async () => {
    const attempt = provider.create(state({ url: "http://plain-http.example/hook" }));
    await expect(attempt).rejects.toMatchObject({
      name: "TelegramApiError",
      method: "setWebhook",
      errorCode: 400,
    });
    await expect(provider.create(state({ url: "http://plain-http.example/hook" }))).rejects.toThrow(
      /public HTTPS/,
    );
    revoked.add("111");
    const refused = await provider.create(state()).catch((error: Error) => error);
    expect((refused as Error).message).toMatch(/pulumi config set --secret telegramBotToken/);
    expect((refused as Error).message).not.toContain("first-token");
  });

  test("an unreachable Bot API is reported as such", async () => {
    await expect(provider.create(state({ apiRoot: "http://127.0.0.1:1" }))).rejects.toThrow(
      /no response.*reach the Bot API/,
    );
  });
});

describe("bot info", () => {
  test("getMe at create, kept until the token changes", async () => {
    const bot = botInfoProvider as Required<pulumi.dynamic.ResourceProvider>;
    const created = await bot.create({ token: "333:abc", apiRoot });
    expect(created.id).toBe("bot333");
    expect(JSON.parse(created.outs.botInfo)).toEqual({ id: 333, is_bot: true, username: "fake_bot" });
    expect(await bot.diff("bot333", { token: "333:abc", apiRoot }, { token: "333:abc", apiRoot })).toEqual({
      changes: false,
    });
    expect(await bot.diff("bot333", { token: "333:abc", apiRoot }, { token: "444:def", apiRoot })).toEqual({
      changes: true,
    });
  });
});

describe("random secret", () => {
  test("is 32 random bytes as base64url (Telegram's secret_token alphabet), and stays put across updates", async () => {
    const random = randomTokenProvider as Required<pulumi.dynamic.ResourceProvider>;
    const first = await random.create({ bytes: 32 });
    const second = await random.create({ bytes: 32 });
    expect(first.outs.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.outs.value).not.toBe(second.outs.value);
    expect(await random.diff("id", { bytes: 32, value: first.outs.value }, { bytes: 32 })).toEqual({
      changes: false,
      replaces: [],
    });
    expect(randomTokenProvider.update).toBeUndefined();
  });
});

describe("after Pulumi's closure serialisation (as `pulumi up` ships the providers)", () => {
  test("the providers, loaded with tsx like the program, still register, refuse clearly and generate secrets", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "lambdagram-provider-"));
    const root = path.join(__dirname, "../..");
    // 1. Serialise the way the deployment does: the program runs under `node --import tsx`.
    const serialise = `
      const pulumi = require("@pulumi/pulumi");
      const { webhookRegistrationProvider } = require("./infra/components/webhook-registration");
      const { randomTokenProvider } = require("./infra/components/secrets");
      (async () => {
        const fs = require("node:fs");
        const a = await pulumi.runtime.serializeFunction(() => webhookRegistrationProvider);
        const b = await pulumi.runtime.serializeFunction(() => randomTokenProvider);
        fs.writeFileSync(${JSON.stringify(path.join(dir, "registration.js"))}, a.text);
        fs.writeFileSync(${JSON.stringify(path.join(dir, "random.js"))}, b.text);
      })();`;
    execFileSync(process.execPath, ["--import", "tsx", "-e", serialise], { cwd: root, stdio: "pipe" });
    // 2. Run them in a fresh process that has none of the project's modules, like the provider host.
    const run = `
      (async () => {
        const registration = require("./registration.js").handler();
        const random = require("./random.js").handler();
        const out = {};
        out.created = (await registration.create(${JSON.stringify(state())})).id;
        out.refused = await registration.create(${JSON.stringify(state({ url: "http://x" }))}).then(() => "", (e) => e.name + ": " + e.message);
        out.token = (await random.create({ bytes: 32 })).outs.value;
        console.log(JSON.stringify(out));
      })();`;
    writeFileSync(path.join(dir, "run.js"), run);
    // The fake API runs in this process: the child must be asynchronous so the server can answer.
    const { execFile } = await import("node:child_process");
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["run.js"], { cwd: dir }, (error, out) =>
        error ? reject(error) : resolve(out),
      ),
    );
    const out = JSON.parse(stdout);
    expect(out.created).toBe("webhook-bot111");
    expect(out.refused).toMatch(/^TelegramApiError: Telegram setWebhook failed \(400\).*public HTTPS/);
    expect(out.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(calls.filter((call) => call.method === "setWebhook")).toHaveLength(2);
  });
});
