/**
 * Human handoff end to end on the local stack: the emulator's support group that `npm start` offers out of
 * the box, dynalite, the webhook handler over HTTP; the staff member answers through the emulator's control
 * API exactly as the web chat's support pane does (a reply to the bot's message in the group).
 */
import type { LocalStack } from "../../local/stack";
import { ensureSupportGroup, localSupport } from "../../local/support-group";
import { TelegramEmulator, type TranscriptEntry } from "../../local/telegram/emulator";
import { startTestStack } from "../helpers/local-stack";

describe("human handoff on the local stack", () => {
  let stack: LocalStack;
  let emulator: TelegramEmulator;
  let group: number;
  let staffId: number;

  beforeAll(async () => {
    stack = await startTestStack();
    if (!stack.emulator || !stack.support)
      throw new Error("the stack should run the emulator with a support group");
    emulator = stack.emulator;
    group = stack.support.chatId;
    staffId = stack.support.staffUserId;
  });
  afterAll(async () => {
    await stack.stop();
  });

  /** What the bot sent to a chat since `before` messages. */
  const botMessagesSince = (chatId: number, before: number): TranscriptEntry[] =>
    emulator
      .chatHistory(chatId)
      .slice(before)
      .filter((entry) => entry.sender === "bot");

  /** Runs `act` and waits until the bot answered everything it caused. */
  async function settled(act: () => unknown) {
    await act();
    await emulator.idle({ timeoutMs: 10_000 });
  }

  /** The staff member replies to message `replyTo` of the group over the control API. */
  async function staffReply(text: string, replyTo: number) {
    const response = await fetch(`${stack.url}/_emulator/users/${staffId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text, chat_id: group, reply_to_message_id: replyTo }),
    });
    expect(response.status).toBe(201);
    await emulator.idle({ timeoutMs: 10_000 });
  }

  it("has a support group and a staff user out of the box, and tells the handlers", () => {
    expect(group).toBe(localSupport.chatId);
    expect(stack.environment.SUPPORT_CHAT_ID).toBe(String(group));
    expect(emulator.user(staffId).first_name).toBe(localSupport.staff.first_name);
    expect(emulator.chatHistory(group)).toEqual([]);
  });

  it("hands a question over, delivers the staff reply, threads a follow-up and closes", async () => {
    const user = emulator.createUser({ first_name: "Lan", language_code: "en" });
    let mark = emulator.chatHistory(user.id).length;
    await settled(() => emulator.sendText(user.id, "my cat ate the charger, what now"));
    const declined = botMessagesSince(user.id, mark).at(-1);
    const ask = JSON.stringify(declined?.replyMarkup).match(/"(ho:ask:[^"]+)"/)?.[1];
    expect(ask).toBeDefined();

    mark = emulator.chatHistory(user.id).length;
    await settled(() => emulator.pressButton(user.id, declined?.messageId as number, ask as string));
    expect(botMessagesSince(user.id, mark)[0]?.text).toContain("passed this on to our team");
    const [question] = botMessagesSince(group, 0);
    expect(question?.text).toContain("Lan (en) would like to talk to a person");
    expect(question?.text).toContain("my cat ate the charger");
    expect(question?.text).not.toContain(String(user.id));

    const staffList = await fetch(`${stack.url}/_emulator/chats/${group}/messages`);
    const listed = (await staffList.json()) as { messages: TranscriptEntry[] };
    expect(listed.messages.map((entry) => entry.messageId)).toEqual([question?.messageId]);

    mark = emulator.chatHistory(user.id).length;
    await staffReply("Unplug it first, then we'll send a new one.", question?.messageId as number);
    expect(botMessagesSince(user.id, mark).map((entry) => entry.text)).toEqual([
      "💬 From our team:\nUnplug it first, then we'll send a new one.",
    ]);

    const groupMark = emulator.chatHistory(group).length;
    await settled(() => emulator.sendText(user.id, "Thank you! Which address?"));
    const [followUp] = botMessagesSince(group, groupMark);
    expect(followUp?.text).toContain("Thank you! Which address?");
    expect(followUp?.replyToMessageId).toBe(question?.messageId);

    mark = emulator.chatHistory(user.id).length;
    await staffReply("/close", followUp?.messageId as number);
    expect(botMessagesSince(user.id, mark).map((entry) => entry.text)).toEqual([
      "Our team has closed this conversation. If you need anything else, just ask me.",
    ]);
    expect(botMessagesSince(group, 0).at(-1)?.text).toContain("is closed");

    // The thread is over: the user's next message is the bot's again, nothing goes to the group.
    const before = emulator.chatHistory(group).length;
    await settled(() => emulator.sendText(user.id, "/help"));
    expect(emulator.chatHistory(group).length).toBe(before);
  });

  it("refuses a staff reply to a message the group does not have, naming it", async () => {
    const response = await fetch(`${stack.url}/_emulator/users/${staffId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "hi", chat_id: group, reply_to_message_id: 987_654 }),
    });
    expect(response.status).toBe(404);
    expect(JSON.stringify(await response.json())).toContain("987654");
  });

  it("keeps the support group across restarts of the emulator data (created only when missing)", () => {
    const fresh = new TelegramEmulator();
    const first = ensureSupportGroup(fresh);
    fresh.sendText(first.staffUserId, "hello team", { chatId: first.chatId });
    const restored = new TelegramEmulator();
    restored.restore(fresh.snapshot({ clean: true }));
    expect(ensureSupportGroup(restored)).toEqual(first);
    expect(restored.chatHistory(first.chatId).map((entry) => entry.text)).toEqual(["hello team"]);
  });
});
