import { InvalidJobError, type Job, parseJob } from "../../bot/broadcast/jobs";

describe("parsing messages from the broadcast queue", () => {
  const validJobs: Job[] = [
    { type: "broadcast.start", broadcastId: "b-1" },
    { type: "broadcast.finish", broadcastId: "b-1" },
    { type: "broadcast.plan", broadcastId: "b-1", shard: 3, part: 0 },
    { type: "broadcast.plan", broadcastId: "b-1", shard: 3, part: 2, cursor: "opaque" },
    {
      type: "broadcast.send",
      broadcastId: "b-1",
      shard: 0,
      part: 1,
      batch: 4,
      recipients: [{ userId: 7, chatId: 7 }],
    },
    { type: "tips.send", date: "2026-12-03", hour: 9, userIds: [1, 2, 3] },
  ];

  it.each(validJobs.map((job) => [job.type, job]))("accepts a %s job as sent", (_type, job) => {
    expect(parseJob(JSON.stringify(job))).toEqual(job);
  });

  it("rejects a body that is not JSON as poison", () => {
    expect(() => parseJob("{type:")).toThrow(InvalidJobError);
    expect(() => parseJob("{type:")).toThrow(/the body is not JSON/);
  });

  it("names the unknown job type", () => {
    expect(() => parseJob(JSON.stringify({ type: "broadcast.explode", broadcastId: "b" }))).toThrow(
      /type: .*'broadcast.start'/,
    );
  });

  it("says which fields are wrong and why, so the dead-letter queue explains itself", () => {
    let message = "";
    try {
      parseJob(
        JSON.stringify({ type: "broadcast.plan", broadcastId: "", shard: 99, part: -1, sneaky: true }),
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/broadcastId: Too small/);
    expect(message).toMatch(/shard: Too big/);
    expect(message).toMatch(/part: Too small/);
    expect(message).toMatch(/Unrecognized key: "sneaky"/);
  });

  it("refuses fractional ids, empty batches and malformed schedule dates", () => {
    const bad = [
      { type: "broadcast.send", broadcastId: "b", shard: 0, part: 0, batch: 0, recipients: [] },
      {
        type: "broadcast.send",
        broadcastId: "b",
        shard: 0,
        part: 0,
        batch: 0,
        recipients: [{ userId: 1.5, chatId: 1 }],
      },
      { type: "tips.send", date: "2026-1-1", hour: 9, userIds: [1] },
      { type: "tips.send", date: "2026-01-01", hour: 24, userIds: [1] },
    ];
    for (const job of bad) expect(() => parseJob(JSON.stringify(job))).toThrow(InvalidJobError);
  });
});
