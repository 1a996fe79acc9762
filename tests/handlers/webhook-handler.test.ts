import { MissingConfigurationError } from "../../bot/runtime/environment";
import { createServices } from "../../bot/runtime/services";
import { buildWebhookHandler } from "../../bot/runtime/webhook";
import { loadContent } from "../../content/load";
import { env } from "../../contracts/runtime";
import { TelegramEmulator } from "../../local/telegram/emulator";
import { type LocalDynamo, startDynalite } from "../helpers/dynamo";

describe("the webhook Lambda entry, built from its environment", () => {
  let dynamo: LocalDynamo;
  let emulator: TelegramEmulator;

  beforeAll(async () => {
    dynamo = await startDynalite();
    emulator = new TelegramEmulator();
    await emulator.start();
  });
  afterAll(async () => {
    await emulator.stop();
    await dynamo.stop();
  });

  function environment() {
    return {
      [env.tableName]: dynamo.tableName,
      [env.dynamodbEndpoint]: dynamo.endpoint,
      [env.botToken]: emulator.token,
      [env.webhookSecret]: "s3cret",
      [env.telegramApiRoot]: emulator.apiRoot,
      [env.botInfo]: JSON.stringify(emulator.botInfo),
      [env.logLevel]: "silent",
    };
  }

  it("answers an update through DynamoDB and the Bot API, as on AWS", async () => {
    const handler = await buildWebhookHandler(
      createServices(environment(), { directory: __dirname, content: loadContent() }),
    );
    const user = emulator.createUser({ first_name: "Hoa", language_code: "vi" });
    const update = {
      update_id: 1,
      message: {
        message_id: 1,
        date: 0,
        chat: { id: user.id, type: "private" },
        from: { id: user.id, is_bot: false, first_name: "Hoa", language_code: "vi" },
        text: "/help",
        entities: [{ type: "bot_command", offset: 0, length: 5 }],
      },
    };

    const result = await handler({
      headers: { "x-telegram-bot-api-secret-token": "s3cret" },
      body: JSON.stringify(update),
    } as never);

    expect(result.statusCode).toBe(200);
    const sent = emulator.callsOf("sendMessage").map((c) => String(c.params.text));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain("/start");
    expect(getMeCalls()).toBe(0);
  });

  function getMeCalls() {
    return emulator.callsOf("getMe").length;
  }

  it("refuses to start without a table name, naming the variable", async () => {
    const { [env.tableName]: _removed, ...withoutTable } = environment();
    const build = () =>
      buildWebhookHandler(createServices(withoutTable, { directory: __dirname, content: loadContent() }));
    await expect(build()).rejects.toThrow(MissingConfigurationError);
    await expect(build()).rejects.toThrow(/TABLE_NAME/);
  });

  it("refuses to start without the content bundled next to it, saying how to build it", async () => {
    await expect(
      buildWebhookHandler(createServices(environment(), { directory: __dirname })),
    ).rejects.toThrow(/content\.json is missing: run `npm run build`/);
  });
});
