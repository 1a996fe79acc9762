/**
 * Broadcasts when DynamoDB's answer to a conditional write is lost: the write lands, the client times out or
 * is reset and retries, and the retry is refused by the write's own first attempt. The worker must read that
 * as "done by me", not "done by someone else": nobody is sent twice, nobody is skipped, and the broadcast
 * still finishes with the admin told. The workers reach dynalite through a proxy that drops chosen answers.
 */
import { idsInShard, notExactly, type Rig, startRig } from "./rig";

let rig: Rig;

beforeAll(async () => {
  rig = await startRig({ ratePerSecond: 30, loseDynamoAnswers: true });
});
afterAll(async () => {
  await rig.stop();
});

function proxy() {
  if (!rig.proxy) throw new Error("the rig was started without loseDynamoAnswers");
  return rig.proxy;
}

async function broadcastTo(topic: string, extra: Record<string, unknown> = {}) {
  const answer = await rig.post({ text: `News for ${topic}`, audience: { topics: [topic] }, ...extra });
  expect(answer.status).toBe(202);
  return answer.body.id as string;
}

describe("a broadcast whose DynamoDB answers get lost", () => {
  it("finishes and tells the admin when the answer to counting the last batch is lost", async () => {
    const ids = idsInShard(2, 5, 7000); // one shard, one batch: its count is the broadcast's last
    await rig.addUsers(ids, { topics: ["lost-count"] });
    const admin = 7999;
    await rig.addUsers([admin], { topics: ["admins"] });
    proxy().loseNextAnswer(
      (operation, body) => operation === "UpdateItem" && body.includes("countedBatches"),
    );
    const lostBefore = proxy().lost();

    const id = await broadcastTo("lost-count", { progressChatId: admin });
    await rig.queue.idle();

    expect(proxy().lost()).toBe(lostBefore + 1);
    expect(notExactly(rig.received(ids), 1)).toEqual({});
    expect(await rig.progress(id)).toMatchObject({ status: "done", total: 5, sent: 5, remaining: 0 });
    await rig.emulator.waitFor(() => (rig.emulator.lastBotMessage(admin)?.text ?? "").includes("is done"), {
      timeoutMs: 10_000,
      description: "the final progress edit",
    });
  });

  it("sends once when the answer to recording a delivery is lost", async () => {
    const ids = idsInShard(4, 4, 7100);
    await rig.addUsers(ids, { topics: ["lost-finish"] });
    proxy().loseNextAnswer(
      (operation, body) =>
        operation === "UpdateItem" && body.includes('"delivered"') && body.includes(":owner"),
    );
    const lostBefore = proxy().lost();

    const id = await broadcastTo("lost-finish");
    await rig.queue.idle();

    expect(proxy().lost()).toBe(lostBefore + 1);
    expect(notExactly(rig.received(ids), 1)).toEqual({});
    expect(await rig.progress(id)).toMatchObject({ status: "done", total: 4, sent: 4, remaining: 0 });
    // Its own landed record, not a rival's: no "claim taken over" alarm in the logs.
    expect(rig.logger.entries.filter((entry) => entry.message.includes("taken over"))).toEqual([]);
  });

  it("sends once, without waiting out a lease, when the answer to claiming a recipient is lost", async () => {
    const ids = idsInShard(6, 3, 7200);
    const victim = ids[1] as number;
    await rig.addUsers(ids, { topics: ["lost-claim"] });
    proxy().loseNextAnswer(
      (operation, body) =>
        operation === "PutItem" && body.includes("leaseUntil") && body.includes(`"${victim}"`),
    );
    const lostBefore = proxy().lost();

    const id = await broadcastTo("lost-claim");
    await rig.queue.idle(); // the fake clock stands still: a lease would never end on its own

    expect(proxy().lost()).toBe(lostBefore + 1);
    expect(notExactly(rig.received(ids), 1)).toEqual({});
    expect(await rig.progress(id)).toMatchObject({ status: "done", total: 3, sent: 3, remaining: 0 });
  });
});
