/**
 * The bot's command menu (`setMyCommands`) per Telegram language: registered by `pulumi up` on AWS and by
 * the local stack at start-up, so both show the same menu.
 */

/** One command of the bot's menu. */
export interface BotCommand {
  command: string;
  description: string;
}

/** The commands shown for one Telegram `language_code` (undefined: every language without its own list). */
export interface CommandSet {
  languageCode?: string;
  commands: BotCommand[];
}

const commandNames = [
  "start",
  "help",
  "ask",
  "questionnaire",
  "subscribe",
  "unsubscribe",
  "language",
  "mode",
  "cancel",
] as const;
type CommandName = (typeof commandNames)[number];

const descriptions: Record<"en" | "vi" | "zh-TW", Record<CommandName, string>> = {
  en: {
    start: "Start the bot and show the menu",
    help: "What I can do",
    ask: "Ask a question about serverless on AWS",
    questionnaire: "Fill in a questionnaire",
    subscribe: "Get a daily study tip",
    unsubscribe: "Stop the daily tips",
    language: "Change the language",
    mode: "Choose how I understand your messages",
    cancel: "Cancel the current questionnaire",
  },
  vi: {
    start: "Bắt đầu và xem menu",
    help: "Tôi có thể làm gì",
    ask: "Đặt câu hỏi về serverless trên AWS",
    questionnaire: "Trả lời một bảng câu hỏi",
    subscribe: "Nhận mẹo học mỗi ngày",
    unsubscribe: "Ngừng nhận mẹo hằng ngày",
    language: "Đổi ngôn ngữ",
    mode: "Chọn cách tôi hiểu tin nhắn của bạn",
    cancel: "Hủy bảng câu hỏi đang làm",
  },
  "zh-TW": {
    start: "開始使用並顯示選單",
    help: "我能做什麼",
    ask: "詢問 AWS 無伺服器相關問題",
    questionnaire: "填寫問卷",
    subscribe: "每天接收學習小提示",
    unsubscribe: "停止每日提示",
    language: "變更語言",
    mode: "選擇我理解訊息的方式",
    cancel: "取消目前的問卷",
  },
};

const toCommands = (language: keyof typeof descriptions): BotCommand[] =>
  commandNames.map((command) => ({ command, description: descriptions[language][command] }));

/**
 * The command menu in the content pack's three languages; English is the default list. Telegram's
 * `language_code` is two letters, so zh-TW's list is registered for `zh` (every Chinese-speaking user).
 */
export const botCommands: CommandSet[] = [
  { commands: toCommands("en") },
  { languageCode: "vi", commands: toCommands("vi") },
  { languageCode: "zh", commands: toCommands("zh-TW") },
];
