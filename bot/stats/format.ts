/**
 * /stats as one short Telegram message in the admin's language (pure: a {@link BotStats}, a translator and the
 * intent titles in, text out). The week's messages per day are drawn as a sparkline, so a trend reads at a
 * glance in any client.
 */
import type { Translate } from "../i18n";
import type { BotStats } from "./summary";

const bars = "▁▂▃▄▅▆▇█";

/** Eight-level bars of `values`, scaled to the largest (all ▁ when every value is 0). */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map(
      (value) =>
        bars[max === 0 ? 0 : Math.min(bars.length - 1, Math.round((value / max) * (bars.length - 1)))],
    )
    .join("");
}

/** A share as a whole percentage. */
function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 100) : 0;
}

/** The /stats message; `titleOf` gives an intent's title in the admin's language (its id when unknown). */
export function formatStats(stats: BotStats, t: Translate, titleOf: (intent: string) => string): string {
  const { users, week, days } = stats;
  const lines = [
    t("stats.title", { today: stats.today }),
    t("stats.users", { total: users.total, subscribers: users.subscribers }),
    t("stats.active", {
      today: users.activeToday,
      week: users.active7d,
      month: users.active30d,
      new: users.new7d,
    }),
    "",
  ];
  if (week.messages === 0) lines.push(t("stats.noMessages"));
  else {
    lines.push(
      t("stats.messages", {
        total: week.messages,
        sparkline: sparkline(days.map((day) => day.messages)),
        first: days[0]?.date.slice(5) ?? "",
        last: days[days.length - 1]?.date.slice(5) ?? "",
      }),
      t("stats.tiers", {
        rules: percent(week.byTier.rules, week.messages),
        nlp: percent(week.byTier.nlp, week.messages),
      }),
      t("stats.outcomes", {
        answered: percent(week.answered, week.messages),
        clarified: percent(week.clarified, week.messages),
        declined: percent(week.declined, week.messages),
      }),
    );
  }
  lines.push("");
  if (week.topIntents.length === 0) lines.push(t("stats.noIntents"));
  else {
    lines.push(t("stats.topIntents"));
    for (const [i, entry] of week.topIntents.entries())
      lines.push(`${i + 1}. ${titleOf(entry.intent)} · ${entry.count}`);
  }
  lines.push(
    "",
    t("stats.questionnaires", { count: week.questionnairesCompleted }),
    t("stats.broadcasts", { count: week.broadcastsStarted }),
  );
  return lines.join("\n");
}
