/**
 * The default tip pack keeps recommendations personal: whatever topics and level a learner picks in the
 * learner-profile questionnaire, there are tips of that topic at that level to send.
 */
import { join } from "node:path";
import { pickTip } from "../../bot/recommendations/picker";
import { loadContent } from "../../content/load";

const content = loadContent(join(__dirname, "..", "..", "content"));
const profileQuestion = content.questionnaires
  .find((q) => q.id === "learner-profile")
  ?.questions.find((q) => q.profileField === "topics");
const offeredTopics =
  profileQuestion && "options" in profileQuestion ? profileQuestion.options.map((o) => o.value) : [];
const { levels } = content.settings;

describe("the default tip pack", () => {
  it("has at least 110 tips, each linking to an https page when it links at all", () => {
    expect(content.recommendations.length).toBeGreaterThanOrEqual(110);
    for (const tip of content.recommendations) if (tip.url) expect(tip.url).toMatch(/^https:\/\//);
  });

  it("offers every settings topic in the learner-profile questionnaire, as one tappable button each", () => {
    expect([...offeredTopics].sort()).toEqual([...content.settings.topics].sort());
    expect(offeredTopics.length).toBeLessThanOrEqual(12);
  });

  it.each(offeredTopics)("has at least two '%s' tips at every level", (topic) => {
    for (const level of levels) {
      const fitting = content.recommendations.filter(
        (tip) => tip.topics.includes(topic) && tip.level === level,
      );
      // The level is part of the compared value so a failure names it.
      expect([level, fitting.length >= 2]).toEqual([level, true]);
    }
  });

  it.each(offeredTopics)(
    "sends a learner who picked only '%s' a tip of that topic at each level",
    (topic) => {
      for (const level of levels) {
        const tip = pickTip(content.recommendations, { topics: [topic], level }, [], { levels });
        expect(tip?.topics).toContain(topic);
        expect(tip?.level).toBe(level);
      }
    },
  );
});
