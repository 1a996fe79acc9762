import { CronExpressionError, parseCron } from "../../local/cron";

describe("EventBridge cron expressions", () => {
  it("fires every hour on the hour for the default schedule", () => {
    const schedule = parseCron("cron(0 * * * ? *)");
    expect(schedule.next(new Date("2026-11-22T08:00:00Z")).toISOString()).toBe("2026-11-22T09:00:00.000Z");
    expect(schedule.matches(new Date("2026-11-22T09:00:30Z"))).toBe(true);
    expect(schedule.matches(new Date("2026-11-22T09:01:00Z"))).toBe(false);
  });

  it("evaluates hours in the schedule's time zone", () => {
    const schedule = parseCron("cron(30 9 * * ? *)", "Asia/Ho_Chi_Minh");
    expect(schedule.next(new Date("2026-11-22T00:00:00Z")).toISOString()).toBe("2026-11-22T02:30:00.000Z");
  });

  it("understands lists, ranges, steps and day names", () => {
    const weekdays = parseCron("cron(0/15 8-10 ? * MON-FRI *)");
    expect(weekdays.matches(new Date("2026-11-23T08:45:00Z"))).toBe(true); // a Monday
    expect(weekdays.matches(new Date("2026-11-22T08:45:00Z"))).toBe(false); // a Sunday
    expect(weekdays.matches(new Date("2026-11-23T11:00:00Z"))).toBe(false);
  });

  it("explains an expression it cannot read", () => {
    expect(() => parseCron("0 * * * *")).toThrow(CronExpressionError);
    expect(() => parseCron("cron(61 * * * ? *)")).toThrow(/out of range 0-59/);
  });
});
