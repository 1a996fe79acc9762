/**
 * The figures of /stats and `GET /admin/stats`, computed (purely) from the daily metric sums a
 * {@link MetricsReader} returns and the two table counts. {@link statsQueries} says what to read; {@link summarize}
 * turns the answer into a {@link BotStats}. Days are UTC days; "today" is the day of the clock so far.
 *
 * The JSON of `GET /admin/stats` is a {@link BotStats}:
 * ```json
 * {
 *   "generatedAt": "2026-12-06T15:00:00.000Z",   // the clock when read
 *   "today": "2026-12-06",                         // UTC; the last day of every series
 *   "users": {
 *     "total": 1234,                               // profiles in the table (blocked users included)
 *     "subscribers": 56,                           // subscribed, reachable, with a tip hour (the tip run's list)
 *     "activeToday": 12, "active7d": 80, "active30d": 300,   // distinct users, exact (active-users.ts)
 *     "new7d": 9                                   // first contact in the last 7 days
 *   },
 *   "days": [                                      // the last 7 days, oldest first
 *     { "date": "2026-11-30", "updates": 70, "messages": 51, "activeUsers": 10, "newUsers": 1 }
 *   ],
 *   "week": {                                      // totals of the last 7 days
 *     "messages": 420,                             // free-text messages classified
 *     "byTier": { "rules": 120, "nlp": 300 }, "nlpShare": 0.714,       // null when no message
 *     "answered": 350, "clarified": 20, "declined": 50, "declineRate": 0.119,   // null when no message
 *     "topIntents": [{ "intent": "lambda.pricing", "count": 40 }],     // at most 5, most asked first
 *     "questionnairesCompleted": 7,
 *     "broadcastsStarted": 1
 *   }
 * }
 * ```
 */
import { metricDimensions, metricNames } from "../../contracts/metrics";
import type { Mode } from "../ports";
import { activeUsersInWindow, gapLabels, maxWindowDays } from "./active-users";
import { dayOf, isoDay } from "./days";
import type { AudienceCounts, DayRange, SeriesQuery } from "./port";

/** One day of the week's series. */
export interface StatsDay {
  date: string;
  /** Telegram updates the webhook accepted (messages, button presses, member changes). */
  updates: number;
  /** Free-text messages the bot classified. */
  messages: number;
  /** Distinct users active that day. */
  activeUsers: number;
  /** Users whose first update it was. */
  newUsers: number;
}

/** What /stats shows and `GET /admin/stats` returns (see the module comment for the JSON). */
export interface BotStats {
  generatedAt: string;
  today: string;
  users: {
    /** Profiles in the table ({@link AudienceCounts.users}). */
    total: number;
    subscribers: number;
    activeToday: number;
    active7d: number;
    active30d: number;
    new7d: number;
  };
  days: StatsDay[];
  week: {
    messages: number;
    byTier: Record<Mode, number>;
    /** NLP-tier messages / messages, or null without messages. */
    nlpShare: number | null;
    answered: number;
    clarified: number;
    declined: number;
    /** Declined / messages, or null without messages. */
    declineRate: number | null;
    topIntents: { intent: string; count: number }[];
    questionnairesCompleted: number;
    broadcastsStarted: number;
  };
}

/** Days in the week's figures. */
export const weekDays = 7;
/** Intents listed in `topIntents`. */
export const topIntentCount = 5;

const tiers: readonly Mode[] = ["rules", "nlp"];
/** `Outcome` values of `MessageClassified`. */
export const outcomes = ["answered", "clarified", "declined"] as const;
/** A classified message's outcome. */
export type Outcome = (typeof outcomes)[number];

/** What {@link summarize} needs read, and the range: the 31 days ending today (the widest exact window). */
export interface StatsPlan {
  range: DayRange;
  queries: SeriesQuery[];
  intents: readonly string[];
}

/** The series to read for the stats of `today` (a day number), given the content's intent ids. */
export function statsQueries(today: number, intents: readonly string[]): StatsPlan {
  const queries: SeriesQuery[] = [
    { metric: metricNames.updatesReceived },
    { metric: metricNames.questionnaireCompleted },
    { metric: metricNames.broadcastStarted },
  ];
  for (const tier of tiers)
    for (const outcome of outcomes)
      queries.push({
        metric: metricNames.messageClassified,
        dimensions: { [metricDimensions.tier]: tier, [metricDimensions.outcome]: outcome },
      });
  for (const gap of gapLabels)
    queries.push({ metric: metricNames.activeUser, dimensions: { [metricDimensions.gap]: gap } });
  for (const intent of intents)
    queries.push({ metric: metricNames.intentMatched, dimensions: { [metricDimensions.intent]: intent } });
  return { range: { firstDay: isoDay(today - maxWindowDays + 1), days: maxWindowDays }, queries, intents };
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const lastDays = (values: readonly number[], days: number) => values.slice(values.length - days);
const addInto = (into: number[], values: readonly number[]) => {
  for (const [i, value] of values.entries()) into[i] = (into[i] ?? 0) + value;
};
const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null);

/**
 * The stats from the sums read for `plan` (one series per query, in order) and the table's counts; `now` is
 * the clock's time (its UTC day must be the plan's last day).
 */
export function summarize(
  plan: StatsPlan,
  series: readonly number[][],
  counts: AudienceCounts,
  now: Date,
): BotStats {
  const { range, queries } = plan;
  if (series.length !== queries.length)
    throw new RangeError(`Expected ${queries.length} series, got ${series.length}.`);
  const zero = () => Array.from({ length: range.days }, () => 0);
  const updates = zero();
  const messages = zero();
  const byTier: Record<Mode, number[]> = { rules: zero(), nlp: zero() };
  const byOutcome: Record<Outcome, number[]> = { answered: zero(), clarified: zero(), declined: zero() };
  const byGap = new Map<string, number[]>();
  const intents: { intent: string; count: number }[] = [];
  let completed = zero();
  let broadcasts = zero();
  for (const [i, query] of queries.entries()) {
    const values = series[i] ?? zero();
    const dims = query.dimensions ?? {};
    switch (query.metric) {
      case metricNames.updatesReceived:
        addInto(updates, values);
        break;
      case metricNames.questionnaireCompleted:
        completed = [...values];
        break;
      case metricNames.broadcastStarted:
        broadcasts = [...values];
        break;
      case metricNames.messageClassified:
        addInto(messages, values);
        addInto(byTier[dims.Tier as Mode], values);
        addInto(byOutcome[dims.Outcome as Outcome], values);
        break;
      case metricNames.activeUser:
        byGap.set(dims.Gap ?? "", [...values]);
        break;
      case metricNames.intentMatched:
        intents.push({ intent: dims.Intent ?? "", count: sum(lastDays(values, weekDays)) });
        break;
    }
  }
  const perDayActive = zero();
  for (const values of byGap.values()) addInto(perDayActive, values);
  const newUsers = byGap.get("new") ?? zero();
  const week = (values: readonly number[]) => sum(lastDays(values, weekDays));
  const weekMessages = week(messages);
  const firstDay = dayOf(range.firstDay);
  return {
    generatedAt: now.toISOString(),
    today: isoDay(firstDay + range.days - 1),
    users: {
      total: counts.users,
      subscribers: counts.subscribers,
      activeToday: activeUsersInWindow(byGap, 1),
      active7d: activeUsersInWindow(byGap, weekDays),
      active30d: activeUsersInWindow(byGap, 30),
      new7d: week(newUsers),
    },
    days: Array.from({ length: weekDays }, (_, k) => {
      const i = range.days - weekDays + k;
      return {
        date: isoDay(firstDay + i),
        updates: updates[i] ?? 0,
        messages: messages[i] ?? 0,
        activeUsers: perDayActive[i] ?? 0,
        newUsers: newUsers[i] ?? 0,
      };
    }),
    week: {
      messages: weekMessages,
      byTier: { rules: week(byTier.rules), nlp: week(byTier.nlp) },
      nlpShare: ratio(week(byTier.nlp), weekMessages),
      answered: week(byOutcome.answered),
      clarified: week(byOutcome.clarified),
      declined: week(byOutcome.declined),
      declineRate: ratio(week(byOutcome.declined), weekMessages),
      topIntents: intents
        .filter((entry) => entry.count > 0)
        .sort((a, b) => b.count - a.count || a.intent.localeCompare(b.intent))
        .slice(0, topIntentCount),
      questionnairesCompleted: week(completed),
      broadcastsStarted: week(broadcasts),
    },
  };
}
