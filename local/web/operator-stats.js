/**
 * The stats panel: `GET /admin/stats` drawn as tiles and SVG charts (users active in 1/7/30 days, messages
 * per day for a week, rules vs NLP, decline rate, top intents, subscribers, completions, broadcasts).
 * `readStats` turns the API's JSON into the few numbers drawn, so a renamed field is fixed in one place.
 */
import { h, state } from "./core.js";
import { barList, columnChart, shareBar } from "./operator-charts.js";
import { admin, failed, formatCount, formatShare, notYet } from "./operator-client.js";

const number = (value) => (typeof value === "number" && Number.isFinite(value) ? value : undefined);
const first = (...values) => values.find((value) => value !== undefined && value !== null);

/** A count out of a number or an object that holds one (`{count}`, `{total}`, `{sent}`...). */
function countOf(value) {
  if (typeof value === "number") return value;
  if (value && typeof value === "object")
    return number(first(value.total, value.count, value.started, value.sent));
  return undefined;
}

/** Pairs `[label, value]` out of a list of objects or a `{label: value}` map. */
function pairs(value, labelKeys, valueKeys) {
  if (Array.isArray(value))
    return value.map((item) => [
      String(first(...labelKeys.map((key) => item?.[key])) ?? "?"),
      Number(first(...valueKeys.map((key) => item?.[key])) ?? 0),
    ]);
  if (value && typeof value === "object")
    return Object.entries(value).map(([key, count]) => [key, countOf(count) ?? 0]);
  return [];
}

/** The numbers the panel draws, out of the stats JSON. */
export function readStats(data) {
  const users = data.users ?? {};
  const active = users.active ?? {};
  const tiers = first(data.tiers, data.tierShare, data.share, data.rulesVsNlp) ?? {};
  return {
    usersTotal: number(first(users.total, data.usersTotal)),
    active: [
      [
        "1 day",
        number(first(users.active1d, users.activeDay, active["1"], active.day, active["1d"], users.active1)),
      ],
      [
        "7 days",
        number(
          first(users.active7d, users.activeWeek, active["7"], active.week, active["7d"], users.active7),
        ),
      ],
      [
        "30 days",
        number(
          first(
            users.active30d,
            users.activeMonth,
            active["30"],
            active.month,
            active["30d"],
            users.active30,
          ),
        ),
      ],
    ],
    messagesPerDay: pairs(
      first(data.messagesPerDay, data.messages?.perDay, data.messages),
      ["date", "day"],
      ["count", "messages", "value"],
    ),
    rules: number(first(tiers.rules, tiers.rule)) ?? 0,
    nlp: number(tiers.nlp) ?? 0,
    declineRate: number(first(data.declineRate, data.declines?.rate)),
    topIntents: pairs(
      first(data.topIntents, data.intents),
      ["intent", "id", "intentId"],
      ["count", "value", "answers"],
    ),
    subscribers: countOf(first(data.subscribers, data.subscriptions)),
    completions: countOf(first(data.completions, data.questionnaireCompletions, data.questionnaires)),
    broadcasts: countOf(data.broadcasts),
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
  return [
    h(
      "dl",
      { class: "op-tiles" },
      tile("Users", formatCount(stats.usersTotal)),
      tile("Messages, 7 days", formatCount(weekTotal)),
      tile("Declined", formatShare(stats.declineRate), "of messages"),
      tile("Subscribers", formatCount(stats.subscribers), "daily tips"),
      tile("Completions", formatCount(stats.completions), "questionnaires"),
      tile("Broadcasts", formatCount(stats.broadcasts)),
    ),
    h(
      "div",
      { class: "op-charts" },
      columnChart("Messages per day", days, { className: "op-chart-messages" }),
      columnChart(
        "Active users",
        stats.active.map(([label, value]) => ({
          label,
          longLabel: `in the last ${label}`,
          value: value ?? 0,
          display: formatCount(value),
        })),
        { className: "op-chart-active" },
      ),
      shareBar(
        "Answered by rules vs NLP",
        [
          { label: "Rules", value: stats.rules },
          { label: "NLP", value: stats.nlp },
        ],
        { className: "op-chart-tiers" },
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
    body.replaceChildren(...renderStats(readStats(answer.data ?? {})));
  };
  section.querySelector(".op-refresh").addEventListener("click", load);
  return { load, follow: true, section };
}
