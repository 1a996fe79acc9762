/**
 * The daily tips when DynamoDB's answer to a conditional write is lost (the write lands, the client retries,
 * the retry is refused by its own first attempt): each subscriber still gets exactly one tip that day, at
 * once, and no "taken over" alarm is raised. The workers reach dynalite through a proxy that drops answers.
 */
import { buildRecommendationsHandler, type RecommendationsHandler } from "../../bot/runtime/recommendations";
import { createServices } from "../../bot/runtime/services";
import { env } from "../../contracts/runtime";
import { notExactly, type Rig, startRig } from "../broadcast/rig";

let rig: Rig;
let schedule: RecommendationsHandler;

beforeAll(async () => {
  rig = await startRig({ ratePerSecond: 30, loseDynamoAnswers: true });
  schedule = await buildRecommendationsHandler(
    createServices(
      { ...rig.environment, [env.scheduleTimezone]: "UTC" },
      { jobs: rig.queue, clock: rig.clock },
    ),
  );
});
afterAll(async () => {
  await rig.stop();
});

it("sends one tip to each subscriber when the answers to a day's claim and to its record are lost", async () => {
  const proxy = rig.proxy;
  if (!proxy) throw new Error("the rig was started without loseDynamoAnswers");
  const [claimLost, recordLost, untouched] = [8101, 8102, 8103];
  await rig.addUsers([claimLost, recordLost, untouched], { tipHour: 9, topics: ["lambda"] });
  proxy.loseNextAnswer(
    (operation, body) =>
      operation === "PutItem" && body.includes(`"USER#${claimLost}"`) && body.includes("TIP#"),
  );
  proxy.loseNextAnswer(
    (operation, body) =>
      operation === "UpdateItem" && body.includes(`"USER#${recordLost}"`) && body.includes('"delivered"'),
  );
  const scheduledTime = "2026-11-22T09:00:00.000Z";
  rig.clock.set(scheduledTime);

  await schedule({ source: "test", scheduledTime });
  await rig.queue.idle(); // the fake clock stands still: a lease would never end on its own

  expect(proxy.lost()).toBe(2);
  expect(notExactly(rig.received([claimLost, recordLost, untouched]), 1)).toEqual({});
  expect(rig.logger.entries.filter((entry) => entry.message.includes("taken over"))).toEqual([]);
});
