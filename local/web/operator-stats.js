/**
 * The stats panel: `GET /admin/stats` drawn as tiles and SVG charts (users active in 1/7/30 days, messages
 * per day for a week, rules vs NLP, decline rate, top intents, subscribers, completions, broadcasts).
 * `readStats` turns the API's JSON into the few numbers drawn, so a renamed field is fixed in one place.
 */
import { h, state } from "./core.js";
import { barList, columnChart, shareBar } from "./operator-charts.js";
import { admin, failed, formatCount, formatShare, notYet } from "./operator-client.js";

const number = (value) => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

/**
 * The numbers the panel draws, out of the `GET /admin/stats` JSON (`BotStats`, documented in
 * bot/stats/summary.ts): `users` (total, subscribers, activeToday, active7d, active30d, new7d), `days` (the
 * last 7, oldest first: date, updates, messages, activeUsers, newUsers) and `week` (messages, byTier,
 * answered / clarified / declined, declineRate, topIntents, questionnairesCompleted, broadcastsStarted).
 */
export function readStats(data) {
  const users = data.users ?? {};
  const week = data.week ?? {};
  const days = Array.isArray(data.days) ? data.days : [];
  return {
    generatedAt: typeof data.generatedAt === "string" ? data.generatedAt : undefined,
    usersTotal: number(users.total),
    newUsers: number(users.new7d),
    active: [
      ["today", number(users.activeToday)],
      ["7 days", number(users.active7d)],
      ["30 days", number(users.active30d)],
    ],
    messagesPerDay: days.map((day) => [String(day.date), number(day.messages) ?? 0]),
    weekMessages: number(week.messages),
    rules: number(week.byTier?.rules) ?? 0,
    nlp: number(week.byTier?.nlp) ?? 0,
    outcomes: [
      ["Answered", number(week.answered) ?? 0],
      ["Did you mean", number(week.clarified) ?? 0],
      ["Declined", number(week.declined) ?? 0],
    ],
    declineRate: number(week.declineRate),
    topIntents: (Array.isArray(week.topIntents) ? week.topIntents : []).map((item) => [
      String(item.intent),
      number(item.count) ?? 0,
    ]),
    subscribers: number(users.subscribers),
    completions: number(week.questionnairesCompleted),
    broadcasts: number(week.broadcastsStarted),
  };
}

/** A day label: "Mon 7" out of "2026-12-07" (kept as given when it is not a date). */
function dayLabel(date) {
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(date) ? new Date(`${date}T00:00:00Z`) : undefined;
  if (!parsed || Number.isNaN(parsed.getTime())) return { short: date, long: date };
  return {
    short: parsed.toLocaleDateString("en", { weekday: "short", timeZone: "UTC" }),
    long: parsed.toLocaleDateString("en", {
      weekday: "long",
      day: "numeric",
      month: "short",
      timeZone: "UTC",
    }),
  };
}

function intentTitle(id) {
  return state.config.intents?.find((intent) => intent.id === id)?.title ?? id;
}

function tile(label, value, hint) {
  return h(
    "div",
    { class: "op-tile" },
    h("dt", {}, label),
    h("dd", {}, value),
    hint ? h("dd", { class: "op-tile-hint" }, hint) : null,
  );
}

/** Draws the stats. */
export function renderStats(stats) {
  const days = stats.messagesPerDay.map(([date, count], index, all) => {
    const label = dayLabel(date);
    return { label: label.short, longLabel: label.long, value: count, highlight: index === all.length - 1 };
  });
  const weekTotal = days.reduce((sum, day) => sum + day.value, 0);
  const read = stats.generatedAt ? new Date(stats.generatedAt) : undefined;
  return [
    read && !Number.isNaN(read.getTime())
      ? h(
          "p",
          { class: "hint op-as-of" },
          "Days are UTC days; read at ",
          h(
            "time",
            { datetime: read.toISOString() },
            read.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }),
          ),
          ".",
        )
      : null,
    h(
      "dl",
      { class: "op-tiles" },
      tile("Users", formatCount(stats.usersTotal), `${formatCount(stats.newUsers)} new this week`),
      tile("Messages", formatCount(stats.weekMessages ?? weekTotal), "last 7 days"),
      tile("Declined", formatShare(stats.declineRate), "of messages, 7 days"),
      tile("Subscribers", formatCount(stats.subscribers), "daily tips"),
      tile("Completions", formatCount(stats.completions), "questionnaires, 7 days"),
      tile("Broadcasts", formatCount(stats.broadcasts), "started, 7 days"),
    ),
    h(
      "div",
      { class: "op-charts" },
      columnChart("Messages per day", days, { className: "op-chart-messages" }),
      columnChart(
        "Active users",
        stats.active.map(([label, value]) => ({
          label,
          longLabel: label === "today" ? "today" : `in the last ${label}`,
          value: value ?? 0,
          display: formatCount(value),
        })),
        { className: "op-chart-active" },
      ),
      shareBar(
        "Messages by tier",
        [
          { label: "Rules", value: stats.rules },
          { label: "NLP", value: stats.nlp },
        ],
        { className: "op-chart-tiers" },
      ),
      shareBar(
        "What the bot did",
        stats.outcomes.map(([label, value]) => ({ label, value })),
        { className: "op-chart-outcomes" },
      ),
      barList(
        "Top intents",
        stats.topIntents.slice(0, 8).map(([id, count]) => ({ label: intentTitle(id), value: count })),
        { className: "op-chart-intents", empty: "No intent answered yet" },
      ),
    ),
  ];
}

/** Wires the stats card; returns its loader. */
export function setupStats(section) {
  const body = section.querySelector(".op-body");
  const load = async () => {
    body.setAttribute("aria-busy", "true");
    const answer = await admin("GET", "/admin/stats");
    body.setAttribute("aria-busy", "false");
    if (answer.state === "missing")
      return body.replaceChildren(notYet("The stats are not available yet.", answer));
    if (answer.state === "error") return body.replaceChildren(failed("the stats", answer, load));
    body.replaceChildren(...renderStats(readStats(answer.data ?? {})).filter(Boolean));
  };
  section.querySelector(".op-refresh").addEventListener("click", load);
  return { load, follow: true, section };
}
