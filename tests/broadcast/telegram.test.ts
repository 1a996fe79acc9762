/**
 * A broadcast started and stopped from Telegram, on the whole local stack (`npm start` in process): the
 * admin's /broadcast preview and Send go through the webhook, the in-process queue runs the worker handlers,
 * and the admin's progress message is edited as batches finish, then shows the final numbers.
 */
import type { LocalStack } from "../../local/stack";
import type { TelegramEmulator } from "../../local/telegram/emulator";
import { startTestStack } from "../helpers/local-stack";

const admin = 501;
/**
 * Enough members that a broadcast at 3 messages/s lasts ~4 s: a stop pressed after the first member got it
 * lands well before the last one (the worker re-reads the status every second), even on a fast, idle machine.
 */
const members = Array.from({ length: 12 }, (_, i) => 502 + i);

let stack: LocalStack;
let emulator: TelegramEmulator;

beforeAll(async () => {
  stack = await startTestStack({
    adminUserIds: [admin],
    broadcastRatePerSecond: 3,
    broadcastDelayScale: 0.1,
  });
  if (!stack.emulator) throw new Error("the stack should run the built-in emulator");
  emulator = stack.emulator;
  for (const id of [admin, ...members]) {
    emulator.createUser({ id, first_name: `User ${id}`, language_code: "en" });
    emulator.sendText(id, "/start");
  }
  await emulator.idle({ timeoutMs: 15_000 });
});
afterAll(async () => {
  await stack.stop();
});

/** The bot's messages in a chat whose text contains `fragment`. */
function botMessages(chatId: number, fragment: string) {
  return emulator.chatHistory(chatId).filter((m) => m.sender === "bot" && m.text.includes(fragment));
}

async function startBroadcast(text: string): Promise<void> {
  emulator.sendText(admin, `/broadcast ${text}`);
  await emulator.idle();
  const preview = botMessages(admin, text).at(-1);
  if (!preview) throw new Error("no preview");
  emulator.pressButton(admin, preview.messageId, "bc:send");
  await emulator.idle();
}

it("delivers an admin's /broadcast to every user once and edits the progress message to the final numbers", async () => {
  await startBroadcast("Lambda tips are back!");
  await stack.broadcastQueue.idle(20_000);

  for (const id of [admin, ...members])
    expect(botMessages(id, "Lambda tips are back!")).toHaveLength(id === admin ? 2 : 1);
  const progress = botMessages(admin, "Broadcast").at(-1);
  expect(progress?.edited).toBe(true);
  const everyone = members.length + 1;
  expect(progress?.text).toContain(`is done\nSent: ${everyone} · Blocked: 0 · Failed: 0 (of ${everyone})`);
});

it("stops a running broadcast from the progress message's stop button; the rest get nothing", async () => {
  await startBroadcast("Second news");
  const progress = await emulator.waitFor(
    () => emulator.chatHistory(admin).find((m) => m.sender === "bot" && m.text.includes("is going out")),
    { timeoutMs: 10_000, description: "the progress message of the second broadcast" },
  );
  await emulator.waitFor(() => members.some((id) => botMessages(id, "Second news").length > 0), {
    timeoutMs: 10_000,
  });
  const stopData = JSON.stringify(progress.replyMarkup).match(/"(bc:stop:[^"]+)"/)?.[1] ?? "";
  emulator.pressButton(admin, progress.messageId, stopData);
  await emulator.idle();
  await stack.broadcastQueue.idle(20_000);

  const reached = [admin, ...members].filter(
    (id) => botMessages(id, "Second news").length > (id === admin ? 1 : 0),
  );
  expect(reached.length).toBeGreaterThan(0);
  expect(reached.length).toBeLessThan(members.length + 1);
  for (const id of members) expect(botMessages(id, "Second news").length).toBeLessThanOrEqual(1);
  const final = emulator.chatHistory(admin).find((m) => m.messageId === progress.messageId);
  expect(final?.text).toContain("was stopped");
  expect(final?.text).toContain(`Sent: ${reached.length}`);
});
