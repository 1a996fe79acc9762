/**
 * `/stats` in Telegram, for the configured admins: the figures of bot/stats/summary.ts as one message in the
 * admin's language. It reads CloudWatch (or the local capture) and the table from the webhook, which takes
 * ~100-300 ms on AWS: fine for an admin's command, and nothing else in the update path reads them.
 */
import { Composer } from "grammy";
import { isAdmin, isPrivateChat } from "../access";
import type { BotContext } from "../context";
import { pick } from "../i18n";
import { StorageError } from "../storage/port";
import { collectStats } from "./collect";
import { formatStats } from "./format";
import { MetricsUnavailableError } from "./port";

/** Composer: `/stats`. */
export function statsFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("stats", async (ctx) => {
    const { stats, content, clock, logger } = ctx.deps;
    if (!isAdmin(ctx)) {
      logger.warn("stats refused: not an admin", { userId: ctx.from?.id });
      ctx.say(ctx.t("stats.refused"));
      return;
    }
    // The operator's figures are not for the members of a group an admin happens to type in.
    if (!isPrivateChat(ctx)) {
      ctx.say(ctx.t("admin.privateOnly"));
      return;
    }
    if (!stats) {
      ctx.say(ctx.t("stats.unavailable"));
      return;
    }
    let text: string;
    try {
      // Read once per update: a re-run after a version conflict reuses the figures.
      const figures = await ctx.once("stats", () =>
        collectStats(
          stats,
          clock,
          content.intents.map((intent) => intent.id),
        ),
      );
      const { defaultLanguage } = content.settings;
      const titles = new Map(content.intents.map((intent) => [intent.id, intent.title]));
      text = formatStats(figures, ctx.t, (id) => {
        const title = titles.get(id);
        return title ? pick(title, ctx.lang, defaultLanguage) : id;
      });
    } catch (error) {
      if (!(error instanceof MetricsUnavailableError || error instanceof StorageError)) throw error;
      logger.error("stats unavailable", { error: error.message });
      ctx.say(ctx.t("stats.failed"));
      return;
    }
    ctx.say(text);
  });
  return composer;
}
