import { CallbackDataTooLongError, callbackData, maxCallbackDataBytes } from "../../bot/callback-data";
import { buttons, createHarness } from "../helpers/bot-harness";

const samples: Record<keyof typeof callbackData, unknown> = {
  menu: "forms",
  language: "zh-TW",
  mode: "nlp",
  intent: "qa.lambda-memory",
  noneOfThese: true,
  questionnaire: "learner-profile",
  answer: { index: 2, value: "beginner" },
  toggle: { index: 3, value: "api-gateway" },
  done: 3,
  skip: 4,
  confirm: true,
  edit: true,
  editQuestion: 1,
  subscribe: true,
  unsubscribe: true,
  moreLikeThis: "tip.cold-starts",
  handoffAsk: "kq3x",
  handoffDone: true,
  tipHour: 7,
  broadcastStop: "bc-20261206-abc",
  broadcastSend: true,
  broadcastCancel: true,
  results: "course-feedback",
  exportResponses: "course-feedback",
  forgetAsk: true,
  forgetConfirm: "a1b2c3d4e5f6",
  forgetCancel: "a1b2c3d4e5f6",
  feedback: { vote: "down", key: 123456789 },
  // The longest intent id content allows (48 characters) still fits 64 bytes with the entry id.
  inboxLabel: { entry: "AbC_dEf-1234", value: `qa.${"x".repeat(45)}` },
  inboxPick: { entry: "AbC_dEf-1234", value: 2 },
  inboxShow: "AbC_dEf-1234",
  inboxOutOfScope: "AbC_dEf-1234",
  inboxDismiss: "AbC_dEf-1234",
  inboxNext: true,
};

type AnyCodec = (typeof callbackData)[keyof typeof callbackData] & {
  encode(value: unknown): string;
  decode(data: string): unknown;
};
const codecs = Object.entries(callbackData) as [keyof typeof callbackData, AnyCodec][];

describe("callback data: one codec per kind", () => {
  it("reads back what each kind writes, and only that kind reads it", () => {
    for (const [kind, codec] of codecs) {
      const data = codec.encode(samples[kind]);
      expect(codec.decode(data)).toEqual(samples[kind]);
      const readers = codecs.filter(([, other]) => other.decode(data) !== undefined).map(([name]) => name);
      expect(readers).toEqual([kind]);
    }
  });

  it("refuses crafted data: wrong shapes, unknown words, over 64 bytes", () => {
    expect(callbackData.answer.decode("a:x:beginner")).toBeUndefined();
    expect(callbackData.answer.decode("a:1:")).toBeUndefined();
    expect(callbackData.done.decode("d:1:2")).toBeUndefined();
    expect(callbackData.mode.decode("mode:turbo")).toBeUndefined();
    expect(callbackData.menu.decode("m:../../etc")).toBeUndefined();
    expect(callbackData.intent.decode("i:<script>")).toBeUndefined();
    expect(callbackData.confirm.decode("fc-and-more")).toBeUndefined();
    expect(callbackData.toggle.decode(`t:1:${"x".repeat(70)}`)).toBeUndefined();
    expect(callbackData.tipHour.decode("th:24")).toBeUndefined();
    expect(callbackData.tipHour.decode("th:-1")).toBeUndefined();
    expect(callbackData.tipHour.decode("th:")).toBe("pick");
  });

  it("checks Telegram's 64-byte limit when a button is built, in bytes not characters", () => {
    expect(() => callbackData.moreLikeThis.encode("t".repeat(56))).toThrow(CallbackDataTooLongError);
    // 21 three-byte characters: 25 characters with the prefix, 67 bytes.
    expect(() => callbackData.toggle.encode({ index: 1, value: "語".repeat(21) })).toThrow(/64/);
    expect(callbackData.moreLikeThis.encode("t".repeat(maxCallbackDataBytes - 9))).toHaveLength(64);
  });

  it("every button the bot sends in a questionnaire and the menus decodes as exactly one kind", async () => {
    const bot = createHarness();
    const sent = [
      ...(await bot.say(7, "/start")),
      ...(await bot.say(7, "/language")),
      ...(await bot.say(7, "/mode")),
      ...(await bot.say(7, "/questionnaire learner-profile")),
      ...(await bot.say(7, "Ana")),
    ];
    const data = buttons(sent).map((button) => button.data);
    expect(data.length).toBeGreaterThan(10);
    for (const datum of data)
      expect(codecs.filter(([, codec]) => codec.decode(datum) !== undefined)).toHaveLength(1);
  });
});
