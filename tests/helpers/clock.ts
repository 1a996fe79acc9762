/** A fake clock for tests: time moves only when the test says so. */
export class FakeClock {
  private current: number;
  constructor(start: string | number | Date = "2026-11-22T08:00:00.000Z") {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.current += ms;
  }
  set(time: string | number | Date): void {
    this.current = new Date(time).getTime();
  }
}
