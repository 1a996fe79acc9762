/**
 * UTC days as integers (days since 1970-01-01) and `YYYY-MM-DD` dates. /stats counts in whole UTC days because
 * CloudWatch's daily periods are aligned to UTC midnights; the chat state keeps the user's last active day as
 * one such integer (2 bytes of the item).
 */

const msPerDay = 86_400_000;

/** The UTC day of an instant, as days since the epoch. */
export function dayNumber(instant: Date | number): number {
  return Math.floor((typeof instant === "number" ? instant : instant.getTime()) / msPerDay);
}

/** `YYYY-MM-DD` of a day number. */
export function isoDay(day: number): string {
  return new Date(day * msPerDay).toISOString().slice(0, 10);
}

/** The day number of a `YYYY-MM-DD` date; throws on anything else. */
export function dayOf(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(ms))
    throw new RangeError(`"${date}" is not a YYYY-MM-DD date.`);
  return dayNumber(ms);
}

/** Epoch milliseconds of a day's midnight (UTC). */
export function startOfDay(day: number): number {
  return day * msPerDay;
}
