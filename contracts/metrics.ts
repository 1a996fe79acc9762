/**
 * The custom CloudWatch metrics the handlers emit (Embedded Metric Format, see bot/observability/metrics.ts)
 * and the dashboard and alarms read (infra/components/monitoring.ts). Both sides import these names, so a
 * renamed metric can never leave a dashboard graph silently empty.
 */

/** CloudWatch namespace of every custom metric. */
export const metricsNamespace = "Lambdagram";

/** Names of the custom metrics; each is a count (unit `Count`) summed per period on the dashboard. */
export const metricNames = {
  /** One per Telegram update the webhook accepted (after the secret check); the traffic graph. */
  updatesReceived: "UpdatesReceived",
  /** A free-text message answered by an intent; carries the {@link metricDimensions.intent} dimension. */
  intentMatched: "IntentMatched",
  /** A free-text message no intent matched confidently; with `IntentMatched` it gives the fallback rate. */
  fallbackAnswered: "FallbackAnswered",
  /** A questionnaire submitted (stored once per run). */
  questionnaireCompleted: "QuestionnaireCompleted",
  /** A broadcast message Telegram accepted. */
  broadcastMessagesSent: "BroadcastMessagesSent",
  /** A broadcast recipient who blocked the bot (Telegram 403); the user is marked blocked. */
  broadcastMessagesBlocked: "BroadcastMessagesBlocked",
  /** A broadcast message that failed for any other reason after retries. */
  broadcastMessagesFailed: "BroadcastMessagesFailed",
  /** A scheduled recommendation (daily tip) sent to a subscriber. */
  recommendationsSent: "RecommendationsSent",
  /**
   * A free-text message the bot classified, with the {@link metricDimensions.tier} (the chat's tier) and
   * {@link metricDimensions.outcome} (answered, clarified, declined) dimensions: messages per day, the share of
   * rules vs NLP and the decline rate of /stats (bot/stats/).
   */
  messageClassified: "MessageClassified",
  /**
   * A user's first update of a UTC day in their private chat, with the {@link metricDimensions.gap} dimension:
   * the days since their previous active day (`1`..`30`, `31+`, or `new`). Distinct active users over the last
   * N days are exact sums of these (bot/stats/active-users.ts).
   */
  activeUser: "ActiveUser",
  /** A broadcast recorded (once per broadcast, not per idempotent retry). */
  broadcastStarted: "BroadcastStarted",
  /** A 👍 pressed under a Q&A answer (bot/inbox/feedback.ts). */
  answerThumbsUp: "AnswerThumbsUp",
  /** A 👎 pressed under a Q&A answer; the question also goes to the inbox. */
  answerThumbsDown: "AnswerThumbsDown",
} as const;

/** A custom metric name. */
export type MetricName = (typeof metricNames)[keyof typeof metricNames];

/** Dimension keys; keep them few, since every distinct dimension value is a billed custom metric. */
export const metricDimensions = {
  /** The matched intent id on `IntentMatched` (one series per intent, plus a dimensionless total). */
  intent: "Intent",
  /** `rules` or `nlp` on `MessageClassified`: the tier of the chat the message came from. */
  tier: "Tier",
  /** `answered`, `clarified` ("did you mean") or `declined` on `MessageClassified`. */
  outcome: "Outcome",
  /** Days since the previous active day on `ActiveUser`: `1`..`30`, `31+` or `new` (32 values at most). */
  gap: "Gap",
} as const;

/** A dimension key. */
export type MetricDimension = (typeof metricDimensions)[keyof typeof metricDimensions];
