/**
 * The tip picker on small hand-made packs: fit by topic and level, never-received first, then start over from
 * the one received longest ago; "more like this" walks a topic instead of bouncing between two tips.
 */

import { pickTip, type ReceivedTip } from "../../bot/recommendations/picker";
import type { Recommendation } from "../../content/schema";

const levels = ["beginner", "intermediate", "advanced"];

function tip(id: string, topics: string[], level: string): Recommendation {
  return { id, topics, level, text: { en: `Tip ${id}` } };
}

const pack = [
  tip("db-begin", ["dynamodb"], "beginner"),
  tip("db-mid", ["dynamodb"], "intermediate"),
  tip("db-adv", ["dynamodb"], "advanced"),
  tip("fn-begin", ["lambda"], "beginner"),
  tip("fn-adv", ["lambda"], "advanced"),
  tip("cost-mid", ["cost", "dynamodb"], "intermediate"),
];

const sent = (tipId: string, day: number): ReceivedTip => ({
  tipId,
  at: `2026-11-${String(day).padStart(2, "0")}T09:00:00.000Z`,
});

describe("picking the daily tip", () => {
  it("prefers the user's topics at their own level", () => {
    expect(pickTip(pack, { topics: ["dynamodb"], level: "advanced" }, [], { levels })?.id).toBe("db-adv");
    expect(pickTip(pack, { topics: ["lambda"], level: "beginner" }, [], { levels })?.id).toBe("fn-begin");
  });

  it("never offers a tip two levels away while a closer one fits", () => {
    const received = [sent("db-begin", 1), sent("db-mid", 2), sent("cost-mid", 3)];
    // Every near tip was received: start over rather than jump to "advanced".
    expect(pickTip(pack, { topics: ["dynamodb"], level: "beginner" }, received, { levels })?.id).toBe(
      "db-begin",
    );
  });

  it("gives a tip the user has not received before", () => {
    const received = [sent("db-adv", 1)];
    expect(pickTip(pack, { topics: ["dynamodb"], level: "advanced" }, received, { levels })?.id).toBe(
      "db-mid",
    );
  });

  it("starts over from the tip received longest ago when every fitting tip was received", () => {
    const received = [sent("db-mid", 4), sent("db-adv", 2), sent("cost-mid", 3), sent("db-adv", 5)];
    expect(pickTip(pack, { topics: ["dynamodb"], level: "advanced" }, received, { levels })?.id).toBe(
      "cost-mid",
    );
  });

  it("falls back to any topic when none matches the profile, and to content order without a level", () => {
    expect(pickTip(pack, { topics: ["quantum"] }, [], { levels })?.id).toBe("db-begin");
    expect(pickTip(pack, {}, [sent("db-begin", 1)], { levels })?.id).toBe("db-mid");
  });
});

describe("picking for 'more like this'", () => {
  it("stays in the shown tip's topic and walks it in order after the shown tip", () => {
    const options = { levels, topic: "dynamodb", exclude: ["db-mid"], after: "db-mid" };
    expect(pickTip(pack, { level: "intermediate" }, [], options)?.id).toBe("db-adv");
    const next = { levels, topic: "dynamodb", exclude: ["db-adv"], after: "db-adv" };
    expect(pickTip(pack, { level: "intermediate" }, [], next)?.id).toBe("cost-mid");
  });

  it("finds nothing when the topic has no other tip", () => {
    expect(
      pickTip(pack, {}, [], { levels, topic: "lambda", exclude: ["fn-begin", "fn-adv"] }),
    ).toBeUndefined();
  });
});
