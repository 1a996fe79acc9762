/**
 * End to end through the local stack: users fill in course feedback in the Telegram emulator, the admin reads
 * /results and gets the /export file (uploaded to the emulator as multipart, read back and parsed here), and the
 * same responses come out of the admin API over HTTP (dynalite, the HTTP API routes, the real handlers).
 */
import { csvBom } from "../../bot/questionnaire-results/csv";
import { env } from "../../contracts/runtime";
import type { LocalStack } from "../../local/stack";
import type { TelegramEmulator } from "../../local/telegram/emulator";
import { parseCsv } from "../helpers/csv";
import { startTestStack } from "../helpers/local-stack";

describe("questionnaire results on the local stack", () => {
  const adminId = 424242;
  let stack: LocalStack;
  let emulator: TelegramEmulator;

  beforeAll(async () => {
    stack = await startTestStack({ adminUserIds: [adminId] });
    if (!stack.emulator) throw new Error("the stack should run the built-in emulator");
    emulator = stack.emulator;
  });
  afterAll(async () => {
    await stack.stop();
  });

  /** Bot messages that arrive in `chatId` while `act` runs. */
  async function replies(chatId: number, act: () => void) {
    const before = emulator.chatHistory(chatId).length;
    act();
    await emulator.idle({ timeoutMs: 10_000 });
    return emulator
      .chatHistory(chatId)
      .slice(before)
      .filter((m) => m.sender === "bot");
  }
  const say = (userId: number, text: string) => replies(userId, () => emulator.sendText(userId, text));
  async function press(userId: number, data: string) {
    const message = [...emulator.chatHistory(userId)]
      .reverse()
      .find((m) => m.sender === "bot" && JSON.stringify(m.replyMarkup ?? {}).includes(`"${data}"`));
    if (!message) throw new Error(`no button "${data}" in chat ${userId}`);
    return replies(userId, () => emulator.pressButton(userId, message.messageId, data));
  }

  it("shows /results and sends the /export file the admin downloads, and the admin API serves the same rows", async () => {
    const answers: [string, number, string | undefined][] = [
      ["Lan", 5, "Rất hay, cảm ơn!"],
      ["Wei", 4, "講解很清楚"],
      ["Sam", 2, undefined],
    ];
    for (const [name, stars, comment] of answers) {
      const user = emulator.createUser({ first_name: name, language_code: "en" });
      await say(user.id, "/questionnaire course-feedback");
      await press(user.id, `a:0:${stars}`);
      if (comment) await say(user.id, comment);
      else await press(user.id, "s:1");
      await press(user.id, "fc");
    }
    emulator.createUser({ id: adminId, first_name: "Admin", language_code: "en" });

    const [results] = await say(adminId, "/results course-feedback");
    expect(results?.text).toContain("Course feedback: 3 completed");
    expect(results?.text).toContain("Average: 3.7 (lowest 2, highest 5)");

    const exported = await say(adminId, "/export course-feedback");
    const document = exported.find((m) => m.media?.kind === "document");
    expect(document?.text).toBe("📄 Course feedback: 3 responses");
    expect(document?.media?.fileName).toMatch(/^course-feedback-.*\.csv$/);
    const file = emulator.file(document?.media?.fileId ?? "");
    const csv = file?.data?.toString("utf8") ?? "";
    expect(csv.startsWith(csvBom)).toBe(true);
    const [header, ...rows] = parseCsv(csv.slice(csvBom.length));
    expect(header).toEqual(["submittedAt", "questionnaireVersion", "rating", "comment"]);
    expect(rows.map((row) => row.slice(2))).toEqual([
      ["5", "Rất hay, cảm ơn!"],
      ["4", "講解很清楚"],
      ["2", ""],
    ]);

    const http = await fetch(`${stack.url}/admin/questionnaires/course-feedback/responses`, {
      headers: { authorization: `Bearer ${stack.environment[env.adminApiToken]}`, accept: "text/csv" },
    });
    expect(http.status).toBe(200);
    expect(http.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    // The BOM travels as bytes (fetch's text() would drop it).
    const bytes = Buffer.from(await http.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bytes.toString("utf8")).toBe(csv);
  });
});
