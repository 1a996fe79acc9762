/**
 * Broadcasts under fault injection, end to end: admin API → DynamoDB (dynalite) → in-process SQS → two worker
 * instances → Telegram emulator over HTTP. In every scenario each eligible recipient gets exactly one message,
 * unreachable users are marked, cancelled ones get nothing, and the counters add up.
 * Each test isolates its recipients with its own topic and broadcasts to that topic only.
 */
import type { Job } from "../../bot/broadcast/jobs";
import { idRange, idsInShard, notExactly, type Rig, startRig } from "./rig";

class SimulatedCrash extends Error {
  constructor(where: string) {
    super(`simulated worker crash ${where}`);
    this.name = "SimulatedCrash";
  }
}

let rig: Rig;
let crash:
  | ((point: "afterClaim" | "afterRecord", job: Job, userId: number) => Promise<void> | void)
  | undefined;

beforeAll(async () => {
  rig = await startRig({
    ratePerSecond: 30,
    faults: {
      afterClaim: (job, userId) => crash?.("afterClaim", job, userId),
      afterRecord: (job, userId) => crash?.("afterRecord", job, userId),
    },
  });
});
afterAll(async () => {
  await rig.stop();
});
afterEach(() => {
  crash = undefined;
  rig.emulator.clearFaults();
});

async function broadcastTo(topic: string, extra: Record<string, unknown> = {}) {
  const answer = await rig.post({ text: `News for ${topic}`, audience: { topics: [topic] }, ...extra });
  expect(answer.status).toBe(202);
  return answer.body.id as string;
}

function countsAddUp(progress: {
  sent: number;
  blocked: number;
  failed: number;
  remaining: number;
  total: number;
}) {
  return progress.sent + progress.blocked + progress.failed + progress.remaining === progress.total;
}

describe("a broadcast under Telegram faults", () => {
  it("retries 429, 502 and network errors, marks 403 and unknown chats blocked, and counts every outcome once", async () => {
    const ids = idRange(2000, 24);
    const [rateLimited, forbidden, badGateway, network, neverRecovers, blockedInTelegram, noChat] = ids as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    await rig.addUsers(
      ids.filter((id) => id !== noChat),
      { topics: ["faults"] },
    );
    await rig.addUsers([noChat], { topics: ["faults"], telegram: false });
    const admin = 1999;
    await rig.addUsers([admin], { topics: ["admins"] });
    rig.emulator.blockUser(blockedInTelegram, { notifyBot: false });
    rig.emulator.injectFaults([
      { method: "sendMessage", chatId: rateLimited, response: 429, retryAfter: 1 },
      { method: "sendMessage", chatId: forbidden, response: 403 },
      { method: "sendMessage", chatId: badGateway, response: 502, times: 2 },
      { method: "sendMessage", chatId: network, response: "network" },
      { method: "sendMessage", chatId: neverRecovers, response: 502, times: 50 },
    ]);

    const id = await broadcastTo("faults", { progressChatId: admin });
    await rig.queue.idle();

    const unreachable = [forbidden, blockedInTelegram, noChat];
    const delivered = ids.filter((user) => !unreachable.includes(user) && user !== neverRecovers);
    expect(notExactly(rig.received(delivered), 1)).toEqual({});
    expect(rig.received([...unreachable, neverRecovers])).toEqual(
      Object.fromEntries([...unreachable, neverRecovers].map((user) => [user, 0])),
    );
    for (const user of unreachable)
      expect(await rig.users.get(user)).toMatchObject({ blocked: true, subscribed: false });
    expect(await rig.users.get(neverRecovers)).toMatchObject({ blocked: false, subscribed: true });

    const progress = await rig.progress(id);
    expect(progress).toMatchObject({
      status: "done",
      total: ids.length,
      sent: delivered.length,
      blocked: 3,
      failed: 1,
      remaining: 0,
      planned: true,
    });
    // The admin's message is edited after the last batch is recorded: wait for that edit to arrive.
    await rig.emulator.waitFor(() => (rig.emulator.lastBotMessage(admin)?.text ?? "").includes("is done"), {
      timeoutMs: 10_000,
      description: "the final progress edit",
    });
    const finalText = rig.emulator.lastBotMessage(admin)?.text ?? "";
    expect(finalText).toContain(`Sent: ${delivered.length}`);
    expect(finalText).toContain("is done");
  });

  it("still shows the admin the final numbers when Telegram answers the progress edits with 429", async () => {
    const ids = idRange(2600, 4);
    await rig.addUsers(ids, { topics: ["edit-429"] });
    const admin = 2699;
    await rig.addUsers([admin], { topics: ["admins"] });
    // More 429s than the running edits of so small a broadcast can use up (3 here): the final edit meets some.
    rig.emulator.injectFaults([
      { method: "editMessageText", chatId: admin, response: 429, retryAfter: 1, times: 6 },
    ]);

    const id = await broadcastTo("edit-429", { progressChatId: admin });
    await rig.queue.idle();

    expect(await rig.progress(id)).toMatchObject({ status: "done", sent: ids.length });
    await rig.emulator.waitFor(() => (rig.emulator.lastBotMessage(admin)?.text ?? "").includes("is done"), {
      timeoutMs: 10_000,
      description: "the final progress edit, after its 429s",
    });
    expect(rig.emulator.lastBotMessage(admin)?.text).toContain(`Sent: ${ids.length}`);
    expect(rig.emulator.pendingFaults()).toEqual([]);
  });

  it("re-delivers a batch whose worker crashed after k recorded sends, and sends nobody twice", async () => {
    const ids = idsInShard(3, 12, 3000); // one shard, one batch
    await rig.addUsers(ids, { topics: ["crash-after-record"] });
    let recorded = 0;
    crash = (point) => {
      if (point === "afterRecord" && ++recorded === 5)
        throw new SimulatedCrash("after the 5th recorded send");
    };

    const id = await broadcastTo("crash-after-record");
    await rig.queue.idle();

    expect(notExactly(rig.received(ids), 1)).toEqual({});
    expect(rig.queue.stats().redelivered).toBeGreaterThanOrEqual(1);
    expect(rig.logger.entries.some((entry) => entry.message.startsWith("job failed"))).toBe(true);
    expect(await rig.progress(id)).toMatchObject({ status: "done", total: 12, sent: 12, remaining: 0 });
  });

  it("does not resend blindly to a recipient whose worker died mid-send, and sends once after the claim's lease ends", async () => {
    const ids = idsInShard(5, 6, 4000);
    const victim = ids[2] as number;
    await rig.addUsers(ids, { topics: ["crash-after-claim"] });
    let crashed = false;
    crash = (point, _job, userId) => {
      if (point === "afterClaim" && userId === victim && !crashed) {
        crashed = true;
        throw new SimulatedCrash("between the claim and the Bot API call");
      }
    };

    const id = await broadcastTo("crash-after-claim");
    const others = ids.filter((user) => user !== victim);
    await rig.emulator.waitFor(() => others.every((user) => rig.emulator.sendCount(user) === 1), {
      timeoutMs: 10_000,
    });
    // The re-delivered batch served everyone else but left the victim's live claim alone.
    expect(rig.emulator.sendCount(victim)).toBe(0);
    expect((await rig.progress(id)).status).toBe("running");

    rig.clock.advance(135_000); // past the lease: the crashed invocation's deadline plus the grace period
    await rig.queue.idle();

    expect(notExactly(rig.received(ids), 1)).toEqual({});
    expect(await rig.progress(id)).toMatchObject({ status: "done", total: 6, sent: 6 });
  });

  it("sends nothing twice when the start job and a planning job are delivered twice", async () => {
    const ids = idRange(5000, 20);
    await rig.addUsers(ids, { topics: ["duplicates"] });
    const id = await broadcastTo("duplicates");
    await rig.queue.send([
      { type: "broadcast.start", broadcastId: id },
      { type: "broadcast.plan", broadcastId: id, shard: 0, part: 0 },
      { type: "broadcast.plan", broadcastId: id, shard: 7, part: 0 },
    ]);
    await rig.queue.idle();

    expect(notExactly(rig.received(ids), 1)).toEqual({});
    expect(await rig.progress(id)).toMatchObject({ status: "done", total: 20, sent: 20, remaining: 0 });
  });

  it("stops a broadcast cancelled half way: the rest get nothing and the counts add up", async () => {
    const ids = idsInShard(9, 30, 6000);
    await rig.addUsers(ids, { topics: ["cancel"] });
    const admin = 6001;
    await rig.addUsers([admin], { topics: ["admins"] });
    let id = "";
    let recorded = 0;
    crash = async (point) => {
      if (point === "afterRecord" && ++recorded === 10) expect((await rig.cancel(id)).status).toBe(200);
    };

    id = await broadcastTo("cancel", { progressChatId: admin });
    await rig.queue.idle();

    const progress = await rig.progress(id);
    const received = rig.received(ids);
    const reached = ids.filter((user) => received[user] === 1);
    expect(notExactly(received, 0)).toEqual(Object.fromEntries(reached.map((user) => [user, 1])));
    expect(progress.status).toBe("cancelled");
    expect(progress.sent).toBe(reached.length);
    expect(progress.sent).toBeGreaterThanOrEqual(10);
    expect(progress.sent).toBeLessThanOrEqual(10 + rig.rates.inFlightPerWorker);
    expect(progress.total).toBe(30);
    expect(countsAddUp(progress)).toBe(true);
    expect(rig.emulator.lastBotMessage(admin)?.text).toContain(`Not sent: ${progress.remaining} of 30`);
    expect(await rig.cancel(id)).toMatchObject({ status: 200, body: { status: "cancelled" } });
  });

  it("stops for good when Telegram rejects the text itself, instead of failing every recipient", async () => {
    const ids = idsInShard(11, 8, 7000);
    await rig.addUsers(ids, { topics: ["bad-html"] });
    // Valid MarkdownV2 (a custom emoji) that this Telegram refuses: broken markup is refused by the admin API
    // before anything is queued, so only what Telegram alone rejects reaches the worker.
    const id = await broadcastTo("bad-html", {
      text: "News ![👍](tg://emoji?id=5368324170671202286)",
      parseMode: "MarkdownV2",
    });
    await rig.queue.idle();

    const progress = await rig.progress(id);
    expect(progress).toMatchObject({ status: "failed", sent: 0, total: 8 });
    expect(progress.error).toMatch(/can't parse entities/);
    // Only the sends already in flight when the first rejection came back were tried.
    expect(progress.failed).toBeGreaterThanOrEqual(1);
    expect(progress.failed).toBeLessThanOrEqual(rig.rates.inFlightPerWorker * rig.rates.concurrency);
    expect(countsAddUp(progress)).toBe(true);
    expect(notExactly(rig.received(ids), 0)).toEqual({});
  });
});

describe("who receives a broadcast", () => {
  it("reaches only the languages and topics of the audience filter, and never users who blocked the bot", async () => {
    await rig.addUsers([8001, 8002], { language: "vi", topics: ["audience", "dynamodb"] });
    await rig.addUsers([8003], { language: "vi", topics: ["audience"] });
    await rig.addUsers([8004], { language: "en", topics: ["audience", "dynamodb"] });
    await rig.addUsers([8005], { language: "vi", topics: ["audience", "dynamodb"], blocked: true });

    const answer = await rig.post({
      text: "Xin chào",
      audience: { languages: ["vi"], topics: ["dynamodb"] },
    });
    await rig.queue.idle();

    expect(rig.received([8001, 8002, 8003, 8004, 8005])).toEqual({
      8001: 1,
      8002: 1,
      8003: 0,
      8004: 0,
      8005: 0,
    });
    expect(await rig.progress(answer.body.id)).toMatchObject({ status: "done", total: 2, sent: 2 });
  });

  it("finishes at once, with nothing sent, when nobody matches the filter", async () => {
    const answer = await rig.post({ text: "Anyone?", audience: { topics: ["nobody-has-this-topic"] } });
    await rig.queue.idle();
    expect(await rig.progress(answer.body.id)).toMatchObject({
      status: "done",
      total: 0,
      sent: 0,
      remaining: 0,
    });
  });

  it("sends the parse mode and the URL buttons the admin asked for", async () => {
    await rig.addUsers([8101], { topics: ["formatting"] });
    await rig.post({
      text: "<b>New</b> tips",
      parseMode: "HTML",
      buttons: [{ text: "Read", url: "https://example.com/tips" }],
      audience: { topics: ["formatting"] },
    });
    await rig.queue.idle();
    const message = rig.emulator.lastBotMessage(8101);
    expect(message?.text).toBe("New tips");
    expect(message?.entities).toEqual([expect.objectContaining({ type: "bold", offset: 0, length: 3 })]);
    expect(message?.replyMarkup).toEqual({
      inline_keyboard: [[expect.objectContaining({ text: "Read", url: "https://example.com/tips" })]],
    });
  });
});
