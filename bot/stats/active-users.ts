/**
 * Distinct active users from counts alone. A sum of per-day counts cannot tell one user active on 7 days
 * from 7 users, so each user's *first update of a UTC day* emits `ActiveUser` with the gap in days since
 * their previous active day (`Gap` dimension: `1`..`30`, `31+`, `new`), the previous day being kept in the
 * chat state the update reads and writes anyway (no extra request).
 *
 * Why the sum is exact: take the window W of the N days ending today T, W = (T-N, T], and for a day d in W
 * let k = d - (T-N) (1 on the window's first day, N today). A user active in W has exactly one *first* active
 * day d in W; their previous active day lies before W, so the gap there is at least k. Any later active day d'
 * in W follows an active day inside W, so its gap is at most k' - 1. Hence
 *
 *     active(T, N) = sum over d in W of (events on d with gap >= k(d))
 *
 * counts every user active in W exactly once. It needs gaps told apart up to N, and `31+` covers every larger
 * gap, so windows up to 31 days are exact; "new" (no chat state yet) is larger than any gap. A chat state from
 * before this was kept (no day stored) counts as `31+`: that user emitted nothing earlier, so for any window
 * this is their first counted day.
 */

/** Gaps above this are emitted as `31+`. */
export const maxDistinctGap = 30;

/** The widest window {@link activeUsersInWindow} counts exactly. */
export const maxWindowDays = maxDistinctGap + 1;

/** Every `Gap` dimension value, smallest gap first: `1`..`30`, `31+`, `new` (each is one billed custom metric). */
export const gapLabels: readonly string[] = [
  ...Array.from({ length: maxDistinctGap }, (_, i) => String(i + 1)),
  `${maxDistinctGap + 1}+`,
  "new",
];

/**
 * The `Gap` value of an update on `today` in a private chat whose state said `previousDay`, or undefined when the
 * user was already counted today (or the clock went back). `hadState`: the chat state existed (false: a new user).
 */
export function activeGap(
  previousDay: number | undefined,
  today: number,
  hadState: boolean,
): string | undefined {
  if (previousDay === undefined) return hadState ? `${maxDistinctGap + 1}+` : "new";
  const gap = today - previousDay;
  if (gap <= 0) return undefined;
  return gap > maxDistinctGap ? `${maxDistinctGap + 1}+` : String(gap);
}

/** The smallest gap a label stands for (`new` is larger than any). */
export function gapAtLeast(label: string): number {
  if (label === "new") return Number.POSITIVE_INFINITY;
  const days = Number.parseInt(label, 10);
  if (!Number.isSafeInteger(days) || days < 1) throw new RangeError(`"${label}" is not a Gap value.`);
  return days;
}

/**
 * Distinct users active in the `windowDays` days ending with the last day of the series (see the module
 * comment). `byGap` maps each `Gap` label to its daily counts, all of one length L >= windowDays, oldest first.
 */
export function activeUsersInWindow(
  byGap: ReadonlyMap<string, readonly number[]>,
  windowDays: number,
): number {
  if (!Number.isSafeInteger(windowDays) || windowDays < 1 || windowDays > maxWindowDays)
    throw new RangeError(
      `A window of ${windowDays} days cannot be counted exactly: use 1 to ${maxWindowDays}.`,
    );
  let total = 0;
  for (const [label, counts] of byGap) {
    const atLeast = gapAtLeast(label);
    const length = counts.length;
    if (length < windowDays)
      throw new RangeError(
        `Gap ${label} has ${length} days of counts; a ${windowDays}-day window needs as many.`,
      );
    for (let k = 1; k <= windowDays; k++) {
      // Day k of the window is index length - windowDays + k - 1.
      if (atLeast >= k) total += counts[length - windowDays + k - 1] ?? 0;
    }
  }
  return total;
}
