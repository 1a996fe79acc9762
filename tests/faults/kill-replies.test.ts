/**
 * Replies survive killed processes. The webhook bundle runs in a child process (one Lambda container: one
 * update at a time) against dynalite in this process and a Bot API in this process; this test plays Telegram:
 * a burst of 200 updates over 20 chats, each chat's updates in order, an unanswered update re-sent (later, when
 * the answer is 503) before the chat's next. The child is SIGKILLed at least 24 times: when Telegram receives a
 * reply, before it takes it (the process dies between its save and its send, or between two sends) or after
 * (the reply was in flight), and at random moments. Target: 0 replies lost, at most 1 repeated per kill.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { env as envNames } from "../../contracts/runtime";
import { type LocalDynamo, startDynalite } from "../../local/dynalite";
import { buildBundles } from "../../scripts/build";

const secret = "kill-test-secret";
const chats = Array.from({ length: 20 }, (_, i) => 101 + i);
const updatesPerChat = 10;
const leaseMs = 11_000; // more than the replies' lease (the webhook Lambda's timeout)

/** A seeded random source, so a failing run can be repeated (the seed is printed). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}

/** The child: a Lambda container running the bundle, one invocation at a time, with a clock it can be told to move. */
const childScript = `
const RealDate = Date;
let offset = Number(process.env.CLOCK_OFFSET_MS);
globalThis.Date = class extends RealDate {
  constructor(...args) { if (args.length === 0) super(RealDate.now() + offset); else super(...args); }
  static now() { return RealDate.now() + offset; }
};
const { handler } = require(process.argv[1]);
let queue = Promise.resolve();
const server = require("node:http").createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    if (req.url.startsWith("/advance")) {
      offset += Number(new URL(req.url, "http://x").searchParams.get("ms"));
      return res.end("ok");
    }
    queue = queue.then(async () => {
      const result = await handler({
        version: "2.0", routeKey: "POST /telegram/webhook", rawPath: "/telegram/webhook", rawQueryString: "",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": process.env.WEBHOOK_SECRET },
        requestContext: { http: { method: "POST", path: "/telegram/webhook", sourceIp: "91.108.6.1" } },
        body, isBase64Encoded: false,
      });
      res.statusCode = result.statusCode ?? 200;
      res.end(result.body ?? "");
    });
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write("READY " + server.address().port + "\\n"));
`;

interface Recorded {
  method: string;
  chatId: number;
  text: string;
}

/** What a kill planned at a reply does when Telegram receives that reply. */
type KillAtReply = "before-taking" | "after-taking";

/** Telegram's Bot API as far as this test needs it: records what it takes, can kill the sender on receipt. */
async function startTelegram(onCall: (call: Recorded) => KillAtReply | undefined, kill: () => void) {
  const taken: Recorded[] = [];
  let messageId = 1;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const method = req.url?.split("/").pop() ?? "";
      const payload = JSON.parse(body || "{}") as { chat_id?: number; text?: string };
      const call = { method, chatId: Number(payload.chat_id), text: String(payload.text ?? "") };
      const plan = onCall(call);
      if (plan !== "before-taking") taken.push(call);
      if (plan) {
        kill();
        res.destroy();
        return;
      }
      res.setHeader("content-type", "application/json");
      const result =
        method === "sendMessage"
          ? { message_id: ++messageId, date: 0, chat: { id: call.chatId, type: "private" }, text: call.text }
          : true;
      res.end(JSON.stringify({ ok: true, result }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    apiRoot: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    taken,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function post(port: number, pathName: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: pathName, method: "POST" }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function messageUpdate(updateId: number, chatId: number, text: string) {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: 1_800_000_000,
      chat: { id: chatId, type: "private", first_name: `U${chatId}` },
      from: { id: chatId, is_bot: false, first_name: `U${chatId}`, language_code: "en" },
      text,
      entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]?.length ?? 0 }],
    },
  };
}

describe("replies survive killed processes", () => {
  let work: string;
  let bundle: string;
  let dynamo: LocalDynamo;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "lambdagram-kill-"));
    const built = await buildBundles({ outDir: path.join(work, "dist"), only: ["webhook"] });
    bundle = built.built[0]?.outfile ?? "";
    mkdirSync(path.join(work, "empty", "node_modules"), { recursive: true });
    dynamo = await startDynalite({ tableName: "lambdagram-kill" });
  }, 60_000);

  afterAll(async () => {
    await dynamo?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("loses no reply and repeats at most one per kill, over 24 kills in a 200-update burst over 20 chats", async () => {
    const seed = Number(process.env.KILL_TEST_SEED) || 20261206;
    const random = seeded(seed);
    // Each chat alternates /broadcast <tag> (two messages: a preview title, then the tag) and /help (one).
    const burst: { updateId: number; chatId: number; text: string; tag?: string }[] = [];
    let nextId = 1;
    for (let round = 0; round < updatesPerChat; round++)
      for (const chatId of chats) {
        const tag = `c${chatId}n${round}`;
        burst.push(
          round % 2 === 0
            ? { updateId: nextId++, chatId, text: `/broadcast ${tag}`, tag }
            : { updateId: nextId++, chatId, text: "/help" },
        );
      }
    // 24 kills at distinct updates: 8 when a reply reaches Telegram before it is taken, 8 just after, 8 on a timer.
    const killAt = new Map<number, "before-taking" | "after-taking" | "timer">();
    const kinds = ["before-taking", "after-taking", "timer"] as const;
    while (killAt.size < 24) {
      const index = Math.floor(random() * burst.length);
      if (!killAt.has(index)) killAt.set(index, kinds[killAt.size % 3] as (typeof kinds)[number]);
    }

    let child: ChildProcess | undefined;
    let restarts = 0;
    let port = 0;
    let kills = 0;
    /** Kills by the chat whose update was being delivered (a kill interrupts at most that update). */
    const killsByChat = new Map<number, number>();
    let delivering = 0;
    let gone: Promise<unknown> = Promise.resolve();
    const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;
    const kill = () => {
      if (!child || !alive()) return;
      gone = new Promise((resolve) => child?.once("exit", resolve));
      child.kill("SIGKILL");
      kills += 1;
      killsByChat.set(delivering, (killsByChat.get(delivering) ?? 0) + 1);
    };
    /** Telegram's next attempt reaches a new container once the killed one is gone. */
    const replaceIfKilled = async () => {
      if (kills === 0 || alive()) return;
      await gone;
      await startChild();
      restarts += 1;
    };
    let armed: { plan: KillAtReply; atCall: number; calls: number } | undefined;
    const telegram = await startTelegram(() => {
      if (!armed) return undefined;
      armed.calls += 1;
      if (armed.calls < armed.atCall) return undefined;
      const plan = armed.plan;
      armed = undefined;
      return plan;
    }, kill);

    const startChild = async () => {
      child = spawn(process.execPath, ["-e", childScript, bundle], {
        cwd: path.dirname(bundle),
        env: {
          PATH: process.env.PATH,
          NODE_PATH: path.join(work, "empty", "node_modules"),
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: "local",
          AWS_SECRET_ACCESS_KEY: "local",
          LOG_LEVEL: process.env.KILL_TEST_LOG ?? "error",
          CLOCK_OFFSET_MS: String(clockOffset),
          [envNames.tableName]: dynamo.tableName,
          [envNames.dynamodbEndpoint]: dynamo.endpoint,
          [envNames.botToken]: "4242:KILLTEST",
          [envNames.webhookSecret]: secret,
          [envNames.telegramApiRoot]: telegram.apiRoot,
          [envNames.adminUserIds]: chats.join(","),
          [envNames.defaultMode]: "rules",
        },
        stdio: ["ignore", "pipe", "inherit"],
      });
      port = await new Promise<number>((resolve, reject) => {
        let out = "";
        child?.stdout?.on("data", (chunk) => {
          out += chunk;
          const match = out.match(/READY (\d+)/);
          if (match) resolve(Number(match[1]));
        });
        child?.once("exit", (code) => reject(new Error(`child exited before it was ready (${code})`)));
      });
    };

    let waitedOutLease = 0;
    /** Time the test moved the containers' clocks by (every new container starts there). */
    let clockOffset = 0;
    const timers: NodeJS.Timeout[] = [];
    try {
      await startChild();
      for (const [index, update] of burst.entries()) {
        delivering = update.chatId;
        const plan = killAt.get(index);
        if (plan === "before-taking" || plan === "after-taking")
          armed = { plan, atCall: 1 + Math.floor(random() * (update.tag ? 2 : 1)), calls: 0 };
        const body = JSON.stringify(messageUpdate(update.updateId, update.chatId, update.text));
        // Telegram re-sends an unanswered update until it is answered 2xx, before the chat's next one.
        const statuses: number[] = [];
        for (let attempt = 0; ; attempt++) {
          if (attempt > 10) throw new Error(`update ${update.updateId} never answered (${statuses})`);
          // A timer kill lands wherever the container is then: handling this update, idle, or on the next one.
          if (plan === "timer" && attempt === 0) timers.push(setTimeout(kill, random() * 12));
          const status = await post(port, "/telegram/webhook", body).catch(() => 0);
          statuses.push(status);
          if (status === 200) break;
          if (status === 0) await gone;
          await replaceIfKilled();
          if (status === 503) {
            // Asked to come back later: the killed process's lease on the replies runs out first.
            await post(port, `/advance?ms=${leaseMs}`, "");
            clockOffset += leaseMs;
            waitedOutLease += 1;
          }
        }
        // A timer that fired after the answer still killed a process: start the next container.
        await new Promise((resolve) => setTimeout(resolve, 0));
        await replaceIfKilled();
      }
    } finally {
      for (const timer of timers) clearTimeout(timer);
      kill();
      await telegram.stop();
    }

    const sent = telegram.taken.filter((call) => call.method === "sendMessage");
    let lost = 0;
    let repeated = 0;
    /** Repeats per chat beyond the kills during that chat's updates (at most one repeat per kill). */
    const overRepeated: Record<number, number> = {};
    for (const chatId of chats) {
      const mine = sent.filter((call) => call.chatId === chatId);
      const updates = burst.filter((update) => update.chatId === chatId);
      let chatRepeats = 0;
      for (const update of updates.filter((u) => u.tag)) {
        const copies = mine.filter((call) => call.text === update.tag).length;
        if (copies === 0) lost += 1;
        chatRepeats += Math.max(0, copies - 1);
      }
      const previews = mine.filter((call) => call.text.startsWith("Preview")).length;
      const tags = new Set(updates.map((u) => u.tag));
      const helps = mine.filter((call) => !call.text.startsWith("Preview") && !tags.has(call.text)).length;
      const expectedPreviews = updates.filter((u) => u.tag).length;
      const expectedHelps = updates.length - expectedPreviews;
      lost += Math.max(0, expectedPreviews - previews) + Math.max(0, expectedHelps - helps);
      chatRepeats += Math.max(0, previews - expectedPreviews) + Math.max(0, helps - expectedHelps);
      repeated += chatRepeats;
      if (chatRepeats > (killsByChat.get(chatId) ?? 0)) overRepeated[chatId] = chatRepeats;
      if (process.env.KILL_TEST_LOG && chatRepeats > 0)
        console.log(chatId, killsByChat.get(chatId), mine.map((c) => c.text.slice(0, 12)).join(" | "));
    }
    console.log(
      `kill test (seed ${seed}): ${burst.length} updates, ${kills} kills, ${restarts} restarts, ` +
        `${waitedOutLease} re-deliveries asked to wait for a lease, ${sent.length} messages taken, ` +
        `${lost} lost, ${repeated} repeated`,
    );
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(lost).toBe(0);
    expect(repeated).toBeLessThanOrEqual(kills);
    expect(overRepeated).toEqual({});
  }, 120_000);
});
