/**
 * EventBridge cron expressions (`cron(minutes hours day-of-month month day-of-week year)`) evaluated in
 * a time zone, so the local stack fires the scheduled handler exactly when AWS would.
 * Supports numbers, `*`, `?`, lists, ranges and steps, and day names (MON-SUN) and month names (JAN-DEC).
 */

/** Thrown for an expression the local scheduler cannot read; the message shows the expected form. */
export class CronExpressionError extends Error {
  constructor(expression: string, why: string) {
    super(
      `Cannot read schedule "${expression}": ${why}. Expected e.g. "cron(0 * * * ? *)" (EventBridge format).`,
    );
    this.name = "CronExpressionError";
  }
}

const monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface Field {
  min: number;
  max: number;
  names?: string[];
  /** Offset added to a name's index (months are 1-based, EventBridge weekdays 1=SUN). */
  nameBase?: number;
}

const fields: Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: monthNames, nameBase: 1 },
  { min: 1, max: 7, names: dayNames, nameBase: 1 },
  { min: 1970, max: 2199 },
];

function parseField(expression: string, text: string, field: Field): Set<number> | "any" {
  if (text === "*" || text === "?") return "any";
  const values = new Set<number>();
  const value = (token: string) => {
    const named = field.names?.indexOf(token.toUpperCase()) ?? -1;
    const n = named >= 0 ? named + (field.nameBase ?? 0) : Number(token);
    if (!Number.isInteger(n) || n < field.min || n > field.max)
      throw new CronExpressionError(expression, `"${token}" is out of range ${field.min}-${field.max}`);
    return n;
  };
  for (const part of text.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw new CronExpressionError(expression, `bad step "${stepText}"`);
    const [from, to] =
      range === "*"
        ? [field.min, field.max]
        : range.includes("-")
          ? range.split("-").map(value)
          : [value(range), stepText ? field.max : value(range)];
    for (let n = from ?? field.min; n <= (to ?? field.max); n += step) values.add(n);
  }
  return values;
}

/** A parsed schedule that can tell whether a minute matches. */
export interface CronSchedule {
  /** True when the schedule fires in the minute containing `date` (in the schedule's time zone). */
  matches(date: Date): boolean;
  /** The next firing minute strictly after `after`. */
  next(after: Date): Date;
}

/** Parses an EventBridge cron expression for a time zone (IANA name, e.g. `Asia/Ho_Chi_Minh`). */
export function parseCron(expression: string, timeZone = "UTC"): CronSchedule {
  const inner = expression.trim().match(/^cron\((.*)\)$/)?.[1];
  const parts = inner?.trim().split(/\s+/);
  if (parts?.length !== 6) throw new CronExpressionError(expression, "it needs six fields inside cron(...)");
  const parsed = parts.map((text, i) => parseField(expression, text, fields[i] as Field));
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    weekday: "short",
  });
  const inZone = (date: Date) => {
    const get = (type: string) => format.formatToParts(date).find((p) => p.type === type)?.value ?? "";
    return [
      Number(get("minute")),
      Number(get("hour")),
      Number(get("day")),
      Number(get("month")),
      dayNames.indexOf(get("weekday").toUpperCase()) + 1,
      Number(get("year")),
    ];
  };
  const matches = (date: Date) =>
    inZone(date).every((v, i) => parsed[i] === "any" || (parsed[i] as Set<number>).has(v));
  return {
    matches,
    next(after) {
      const t = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
      for (let i = 0; i < 60 * 24 * 366 * 2; i++, t.setTime(t.getTime() + 60_000))
        if (matches(t)) return new Date(t);
      throw new CronExpressionError(expression, "it never fires in the next two years");
    },
  };
}
