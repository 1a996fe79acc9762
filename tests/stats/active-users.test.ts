/**
 * Distinct active users from per-day counts (bot/stats/active-users.ts): every user's activity is simulated day
 * by day through the same `activeGap` the update path uses, the events are summed per day and Gap value as
 * CloudWatch would, and the window sums are compared with the distinct users counted directly.
 */
import {
  activeGap,
  activeUsersInWindow,
  gapAtLeast,
  gapLabels,
  maxWindowDays,
} from "../../bot/stats/active-users";

/** Per-day counts by Gap label over `days` days, from each user's active days (day numbers 0..days-1). */
function countsOf(activity: number[][], days: number): Map<string, number[]> {
  const byGap = new Map(gapLabels.map((label) => [label, Array.from({ length: days }, () => 0)]));
  for (const activeDays of activity) {
    let previous: number | undefined;
    let hadState = false;
    for (const day of activeDays) {
      const gap = activeGap(previous, day, hadState);
      hadState = true;
      if (gap === undefined) continue;
      previous = day;
      const series = byGap.get(gap) as number[];
      series[day] = (series[day] ?? 0) + 1;
    }
  }
  return byGap;
}

/** The counts up to and including `today` (the window always ends on the series' last day). */
function upTo(byGap: Map<string, number[]>, today: number): Map<string, number[]> {
  return new Map([...byGap].map(([label, counts]) => [label, counts.slice(0, today + 1)]));
}

function distinctActive(activity: number[][], today: number, windowDays: number): number {
  return activity.filter((days) => days.some((day) => day > today - windowDays && day <= today)).length;
}

describe("the gap an update emits", () => {
  it("is new for a chat never seen, nothing on a second update the same day, the days since otherwise", () => {
    expect(activeGap(undefined, 100, false)).toBe("new");
    expect(activeGap(100, 100, true)).toBeUndefined();
    expect(activeGap(99, 100, true)).toBe("1");
    expect(activeGap(70, 100, true)).toBe("30");
    expect(activeGap(69, 100, true)).toBe("31+");
    // A chat state from before active days were kept: the user is not new, and nothing of theirs was counted.
    expect(activeGap(undefined, 100, true)).toBe("31+");
    // A clock that went back does not count twice.
    expect(activeGap(101, 100, true)).toBeUndefined();
  });

  it("has 32 values, so at most 32 billed custom metrics", () => {
    expect(gapLabels).toHaveLength(32);
    expect(gapLabels.map(gapAtLeast).slice(0, 3)).toEqual([1, 2, 3]);
    expect(gapAtLeast("31+")).toBe(31);
    expect(gapAtLeast("new")).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("active users in the last N days", () => {
  it("counts a user active yesterday and today once in 7 days, and in today's count", () => {
    const activity = [[8, 9]];
    const byGap = countsOf(activity, 10);
    expect(activeUsersInWindow(byGap, 1)).toBe(1);
    expect(activeUsersInWindow(byGap, 7)).toBe(1);
    expect(activeUsersInWindow(upTo(byGap, 8), 1)).toBe(1);
  });

  it("does not count a user whose last day fell out of the window, even when their gap was large", () => {
    // Active on day 0 (new), then day 20 (gap 20): in the 7 days ending day 26, yes; ending day 27, no.
    const byGap = countsOf([[0, 20]], 40);
    expect(activeUsersInWindow(upTo(byGap, 26), 7)).toBe(1);
    expect(activeUsersInWindow(upTo(byGap, 27), 7)).toBe(0);
    expect(activeUsersInWindow(upTo(byGap, 49), 30)).toBe(1);
  });

  it("equals the distinct users counted directly, for 300 simulated users over 120 days and every window", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const days = 120;
    // Users with different habits: daily, weekly, now and then, one-off, returning after months.
    const activity = Array.from({ length: 300 }, (_, user) => {
      const rate = [0.9, 0.15, 0.04, 0.01][user % 4] ?? 0.1;
      const start = Math.floor(random() * days);
      const active: number[] = [];
      for (let day = start; day < days; day++) if (day === start || random() < rate) active.push(day);
      return active;
    });
    const byGap = countsOf(activity, days);
    let compared = 0;
    for (let today = 0; today < days; today++) {
      for (const windowDays of [1, 2, 7, 30, maxWindowDays]) {
        if (today + 1 < windowDays) continue;
        expect(activeUsersInWindow(upTo(byGap, today), windowDays)).toBe(
          distinctActive(activity, today, windowDays),
        );
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(500);
    // The comparison is not trivially zero.
    expect(distinctActive(activity, days - 1, 30)).toBeGreaterThan(50);
  });

  it("refuses windows it cannot count exactly, or series shorter than the window", () => {
    const byGap = countsOf([[0]], 40);
    expect(() => activeUsersInWindow(byGap, 32)).toThrow(/1 to 31/);
    expect(() => activeUsersInWindow(upTo(byGap, 5), 7)).toThrow(/6 days/);
  });
});
