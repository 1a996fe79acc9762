/**
 * The local "fire now" of the tips schedule serves everyone whose tip hour has come today and who has no tip
 * yet, including a user who subscribed after the first firing, and never sends anyone a second tip that day.
 */
import type { LocalStack } from "../../local/stack";
import { startTestStack } from "../helpers/local-stack";

/** An `Etc/GMT±N` zone where it is now between 10:00 and 23:59, so the default tip hour (9) has come today. */
function zoneWhereTipHourHasCome(): string {
  const utcHour = new Date().getUTCHours();
  for (let offset = -12; offset <= 14; offset += 1) {
    const local = (utcHour + offset + 24) % 24;
    if (local >= 10) return offset === 0 ? "Etc/UTC" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
  }
  throw new Error("unreachable: some offset puts the local hour at 10 or later");
}

describe("POST /_local/schedules/recommendations", () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startTestStack({
      scheduleTimezone: zoneWhereTipHourHasCome(),
    });
  });
  afterAll(() => stack.stop());

  async function subscribe(userId: number) {
    stack.emulator?.createUser({ id: userId, first_name: `Subscriber ${userId}` });
    stack.emulator?.sendText(userId, "/subscribe");
    await stack.emulator?.idle({ timeoutMs: 10_000 });
  }

  async function fireNow() {
    const response = await fetch(`${stack.url}/_local/schedules/recommendations`, { method: "POST" });
    const body = (await response.json()) as { result: { hours: number[]; due: number; note: string } };
    await stack.broadcastQueue.idle();
    await stack.emulator?.idle({ timeoutMs: 10_000 });
    return body.result;
  }

  const sends = (userId: number) => stack.emulator?.sendCount(userId) ?? 0;

  it("serves a user who subscribed after the first firing, and nobody twice", async () => {
    await subscribe(6001);
    const afterSubscribing = sends(6001);

    const first = await fireNow();
    const tipsAfterFirst = sends(6001) - afterSubscribing;
    await fireNow();
    const tipsAfterSecond = sends(6001) - afterSubscribing;

    await subscribe(6002);
    const lateSubscriber = sends(6002);
    const third = await fireNow();

    expect(first.hours).toContain(9);
    expect(first.due).toBe(1);
    expect(first.note).toMatch(/has come today and who have not had today's tip/);
    expect(tipsAfterFirst).toBe(1);
    expect(tipsAfterSecond).toBe(1);
    expect(third.due).toBe(2);
    expect(sends(6002) - lateSubscriber).toBe(1);
    expect(sends(6001) - afterSubscribing).toBe(1);
  });
});
