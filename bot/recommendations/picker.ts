/**
 * Which tip a user gets: pure, so the daily run, "more like this" and the tests agree.
 * 1. Fit: the tip shares a topic with the user's profile (any topic if none does or the profile has none) and
 *    is at most one level away from the user's level (any level if no tip is that close).
 * 2. Novelty: a fitting tip the user never received, nearest level first, then content order.
 * 3. When every fitting tip was received: start over from the one received longest ago.
 * Language is not a filter: every tip has every language of the pack (content check enforces it).
 */
import type { Recommendation } from "../../content/schema";

/** What the picker reads from a profile. */
export interface TipProfile {
  topics?: string[];
  level?: string;
}

/** One tip a user received, and when (ISO time). */
export interface ReceivedTip {
  tipId: string;
  at: string;
}

/** Options of {@link pickTip}. */
export interface PickOptions {
  /** Levels from easiest to hardest (content settings). */
  levels: readonly string[];
  /** Only tips of this topic ("more like this"). */
  topic?: string;
  /** Never these tips (the one just shown). */
  exclude?: readonly string[];
  /**
   * Among never-received tips, take the first one after this tip in content order (wrapping around) instead
   * of the nearest level: "more like this" walks through a topic instead of bouncing between two tips.
   */
  after?: string;
}

/** Picks the tip for a user, or undefined when no tip fits the topic constraint at all. */
export function pickTip(
  tips: readonly Recommendation[],
  profile: TipProfile,
  history: readonly ReceivedTip[],
  options: PickOptions,
): Recommendation | undefined {
  const excluded = new Set(options.exclude ?? []);
  const order = new Map(tips.map((tip, index) => [tip.id, index]));
  let fitting = tips.filter(
    (tip) => !excluded.has(tip.id) && (options.topic === undefined || tip.topics.includes(options.topic)),
  );
  const interests = profile.topics ?? [];
  if (options.topic === undefined && interests.length > 0) {
    const matching = fitting.filter((tip) => tip.topics.some((topic) => interests.includes(topic)));
    if (matching.length > 0) fitting = matching;
  }
  const userLevel = profile.level === undefined ? -1 : options.levels.indexOf(profile.level);
  const distance = (tip: Recommendation) =>
    userLevel < 0 ? 0 : Math.abs(options.levels.indexOf(tip.level) - userLevel);
  const near = fitting.filter((tip) => distance(tip) <= 1);
  if (near.length > 0) fitting = near;
  if (fitting.length === 0) return undefined;

  const lastReceived = new Map<string, string>();
  for (const { tipId, at } of history) {
    const previous = lastReceived.get(tipId);
    if (previous === undefined || at > previous) lastReceived.set(tipId, at);
  }
  const index = (tip: Recommendation) => order.get(tip.id) ?? 0;
  const unseen = fitting.filter((tip) => !lastReceived.has(tip.id));
  if (unseen.length > 0) {
    const start = options.after === undefined ? undefined : order.get(options.after);
    const rank =
      start === undefined
        ? (tip: Recommendation) => distance(tip) * tips.length + index(tip)
        : (tip: Recommendation) => (index(tip) - start + tips.length) % tips.length;
    return [...unseen].sort((a, b) => rank(a) - rank(b))[0];
  }
  return [...fitting].sort((a, b) => {
    const byAge = (lastReceived.get(a.id) ?? "").localeCompare(lastReceived.get(b.id) ?? "");
    return byAge !== 0 ? byAge : distance(a) - distance(b) || index(a) - index(b);
  })[0];
}
