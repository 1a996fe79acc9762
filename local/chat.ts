/**
 * `npm run chat` (and `npm start` until the local stack lands): a terminal chat with the real bot, like
 * `rasa shell`. No token, no network: Bot API calls are answered in-process and printed. Inline buttons
 * are numbered; type the number to press one. `/user 2 [language]` switches to another user.
 */

import { createInterface } from "node:readline";
import type { Update } from "grammy/types";
import { botInfoFor } from "../bot/bot-info";
import { MemoryBroadcastQueue } from "../bot/broadcast/memory-queue";
import { botConfigDefaults } from "../bot/context";
import { createBot } from "../bot/create-bot";
import { MemoryInboxStore } from "../bot/inbox/store/memory";
import { createJsonLogger } from "../bot/observability/logger";
import { createMemoryStorage } from "../bot/storage/memory";
import { ContentError, loadContent } from "../content/load";
import { RuleClassifier } from "../nlp/rules";
import { answerInProcess } from "./in-process-telegram";
import { ensureNlpModel } from "./nlp-model";

interface Button {
  text: string;
  data: string;
}

const botInfo = botInfoFor(1, "lambdagram_local_bot");

async function main(): Promise<void> {
  let content: ReturnType<typeof loadContent>;
  try {
    content = loadContent();
  } catch (error) {
    if (error instanceof ContentError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logLevel = (process.env.LOG_LEVEL as "debug" | "info" | "warn" | "error" | undefined) ?? "warn";
  const logger = createJsonLogger({ level: logLevel, write: (line) => process.stderr.write(`${line}\n`) });
  const nlp = ensureNlpModel(content, logger, { say: (line) => process.stdout.write(`${line}\n`) });
  const adminIds = (process.env.ADMIN_USER_IDS ?? "1").split(",").map(Number).filter(Number.isFinite);
  const bot = createBot(
    {
      content,
      storage: createMemoryStorage(),
      classifiers: { rules: new RuleClassifier(content), nlp },
      broadcasts: new MemoryBroadcastQueue(),
      config: {
        ...botConfigDefaults,
        defaultMode: process.env.DEFAULT_MODE === "rules" ? "rules" : "nlp",
        adminUserIds: adminIds,
      },
      clock: { now: () => new Date() },
      logger,
      // What the bot could not answer, in memory: /inbox (admins) reviews it, 👍 / 👎 feed it.
      inbox: new MemoryInboxStore({ retentionDays: botConfigDefaults.inboxRetentionDays }),
    },
    { token: "0:LOCAL", botInfo },
  );

  let buttons: Button[] = [];
  let buttonsMessageId = 0;
  let messageId = 0;
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const showButtons = (markup: unknown) => {
    const rows = (markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined)
      ?.inline_keyboard;
    if (!rows) return;
    buttons = rows.flat().map((b) => ({ text: b.text, data: b.callback_data ?? "" }));
    buttonsMessageId = messageId;
    print(buttons.map((b, i) => `   [${i + 1}] ${b.text}`).join("\n"));
  };

  answerInProcess(bot.api, {
    onCall: ({ method, payload: p }) => {
      if (method === "sendMessage") {
        messageId += 1;
        print(`\n🤖 ${String(p.text).replace(/\n/g, "\n   ")}`);
        showButtons(p.reply_markup);
      }
      if (method === "editMessageReplyMarkup" || method === "editMessageText") {
        if (p.text) print(`\n🤖 (edited) ${String(p.text)}`);
        showButtons(p.reply_markup);
      }
      if (method === "answerCallbackQuery" && p.text) print(`   (${String(p.text)})`);
    },
  });

  let userId = 1;
  let language = process.env.CHAT_LANGUAGE ?? "en";
  let updateId = 0;
  const from = () => ({ id: userId, is_bot: false, first_name: `User ${userId}`, language_code: language });
  const chat = () => ({ id: userId, type: "private" as const, first_name: `User ${userId}` });

  async function handle(line: string): Promise<void> {
    const text = line.trim();
    if (!text) return;
    const switchUser = text.match(/^\/user\s+(\d+)(?:\s+(\S+))?$/);
    if (switchUser) {
      userId = Number(switchUser[1]);
      if (switchUser[2]) language = switchUser[2];
      buttons = [];
      print(`(now chatting as user ${userId}, Telegram language ${language})`);
      return;
    }
    const pressed = /^\d+$/.test(text) ? buttons[Number(text) - 1] : undefined;
    const update: Update = pressed
      ? ({
          update_id: ++updateId,
          callback_query: {
            id: String(updateId),
            from: from(),
            chat_instance: String(userId),
            data: pressed.data,
            message: { message_id: buttonsMessageId, date: 0, chat: chat(), text: "" },
          },
        } as Update)
      : ({
          update_id: ++updateId,
          message: {
            message_id: ++messageId,
            date: Math.floor(Date.now() / 1000),
            chat: chat(),
            from: from(),
            text,
            ...(text.startsWith("/")
              ? { entities: [{ type: "bot_command", offset: 0, length: text.split(/\s/)[0]?.length ?? 1 }] }
              : {}),
          },
        } as Update);
    try {
      await bot.handleUpdate(update);
    } catch (error) {
      print(`(error: ${(error as Error).message})`);
    }
  }

  print(
    `Lambdagram terminal chat — ${content.settings.name}. Default mode: ${process.env.DEFAULT_MODE === "rules" ? "rules" : "nlp"} (/mode rules|nlp switches).\n` +
      "Type a message, a button number, /user 2 [language] to switch user, or Ctrl-D to quit. Try /start.",
  );
  const rl = createInterface({ input: process.stdin, terminal: process.stdin.isTTY });
  const prompt = () => process.stdout.write(`\n[user ${userId}] > `);
  prompt();
  for await (const line of rl) {
    await handle(line);
    prompt();
  }
  print("\nBye.");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
