/**
 * The bot's command menu (`setMyCommands`) per Telegram language: registered by `pulumi up` on AWS and by
 * the local stack at start-up, so both show the same menu. The commands are the bot's (code); their
 * descriptions are content (`command.<name>` in content/messages.yaml), like every text users read.
 */
import type { Content } from "../content/schema";

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

/** The commands the bot answers, in menu order; each has a `command.<name>` message in the content pack. */
export const commandNames = [
  "start",
  "help",
  "ask",
  "questionnaire",
  "subscribe",
  "unsubscribe",
  "language",
  "mode",
  "cancel",
  "privacy",
  "forget",
] as const;

/**
 * The command menu in every language of the content pack: the default language's list for everyone, and
 * one list per other language. Telegram's `language_code` is the two-letter code, so `zh-TW`'s list is
 * registered for `zh`; when two content languages share one (`zh-TW`, `zh-CN`), the first listed wins.
 */
export function botCommandsFrom(content: Pick<Content, "settings" | "messages">): CommandSet[] {
  const commandsIn = (language: string): BotCommand[] =>
    commandNames.map((command) => ({
      command,
      description: content.messages[`command.${command}`]?.[language] ?? command,
    }));
  const { languages, defaultLanguage } = content.settings;
  const sets: CommandSet[] = [{ commands: commandsIn(defaultLanguage) }];
  const registered = new Set<string>();
  for (const language of languages) {
    if (language === defaultLanguage) continue;
    const languageCode = language.split("-")[0]?.toLowerCase() ?? language;
    if (registered.has(languageCode)) continue;
    registered.add(languageCode);
    sets.push({ languageCode, commands: commandsIn(language) });
  }
  return sets;
}
