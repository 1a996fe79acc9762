/**
 * The SQS job queue over the SDK's SQS client, against a loopback SQS endpoint that verifies
 * signatures: how jobs are batched into SendMessageBatch requests, how the delay is clamped to what SQS
 * accepts, and what happens to entries SQS refuses (retried alone, then an error the caller must handle).
 */
import { createHash } from "node:crypto";
import { SQSServiceException } from "@aws-sdk/client-sqs";
import { type Job, jobSchema, parseJob } from "../../bot/broadcast/jobs";
import { JobQueueError } from "../../bot/jobs/port";
import { SqsJobQueue } from "../../bot/jobs/sqs";
import {
  type AwsJsonEndpoint,
  type RecordedRequest,
  startAwsJsonEndpoint,
  testCredentials,
  testRegion,
} from "../helpers/aws-json-endpoint";

const queueUrl = "https://sqs.eu-west-1.amazonaws.com/123456789012/lambdagram-broadcasts";

interface Entry {
  Id: string;
  MessageBody: string;
  DelaySeconds?: number;
}
interface SendMessageBatchInput {
  QueueUrl: string;
  Entries: Entry[];
}

let sqs: AwsJsonEndpoint;
let queue: SqsJobQueue;

beforeAll(async () => {
  sqs = await startAwsJsonEndpoint({ service: "sqs" });
  queue = new SqsJobQueue({
    queueUrl,
    config: { region: testRegion, credentials: testCredentials, endpoint: sqs.url },
  });
});

beforeEach(() => {
  sqs.reset();
  sqs.respondWith(accepting(() => false));
});

afterAll(async () => {
  await queue.destroy();
  await sqs.stop();
});

/** What SQS answers as MD5OfMessageBody (the SDK checks it). */
function md5(body: string): string {
  return createHash("md5").update(body).digest("hex");
}

/** SQS's answer to SendMessageBatch: entries for which `refuse` is true are listed in `Failed`. */
function accepting(refuse: (entry: Entry) => boolean) {
  return (request: RecordedRequest) => {
    const entries = (request.body as SendMessageBatchInput).Entries;
    const refused = new Set(entries.filter((entry) => refuse(entry)));
    return {
      body: {
        Successful: entries
          .filter((entry) => !refused.has(entry))
          .map((entry) => ({
            Id: entry.Id,
            MessageId: `msg-${entry.Id}`,
            MD5OfMessageBody: md5(entry.MessageBody),
          })),
        Failed: [...refused].map((entry) => ({
          Id: entry.Id,
          SenderFault: false,
          Code: "InternalError",
          Message: "Service is temporarily unavailable",
        })),
      },
    };
  };
}

function batches(): SendMessageBatchInput[] {
  return sqs.requests.map((request) => request.body as SendMessageBatchInput);
}

/** Realistic jobs of every type, as the broadcast and tips code sends them (`count` of them). */
function jobs(count: number): Job[] {
  const all: Job[] = [];
  for (let i = 0; all.length < count; i++) {
    const broadcastId = `01JH${String(i).padStart(4, "0")}BROADCAST`;
    const kinds: Job[] = [
      { type: "broadcast.start", broadcastId },
      { type: "broadcast.plan", broadcastId, shard: i % 16, part: 0 },
      {
        type: "broadcast.plan",
        broadcastId,
        shard: (i + 1) % 16,
        part: 2,
        cursor: "eyJwayI6IlVTRVIjNDIifQ==",
      },
      {
        type: "broadcast.send",
        broadcastId,
        shard: i % 16,
        part: 1,
        batch: i,
        recipients: [
          { userId: 1000 + i, chatId: 1000 + i },
          { userId: 2000 + i, chatId: -1002000 - i },
        ],
      },
      { type: "tips.send", date: "2025-01-01", hour: 9, userIds: [i * 16, i * 16 + 1, i * 16 + 2] },
      { type: "broadcast.finish", broadcastId },
    ];
    all.push(...kinds.map((job) => jobSchema.parse(job)));
  }
  return all.slice(0, count);
}

describe("sending jobs to SQS", () => {
  it("sends 23 jobs as 3 signed SendMessageBatch requests of 10, 10 and 3, each job once, as JSON", async () => {
    const sent = jobs(23);

    await queue.send(sent);

    expect(sqs.requests).toHaveLength(3);
    for (const request of sqs.requests) {
      expect(request).toMatchObject({
        operation: "SendMessageBatch",
        targetPrefix: "AmazonSQS",
        contentType: "application/x-amz-json-1.0",
        signatureValid: true,
      });
    }
    // The chunks go out concurrently: order them by the first job they carry.
    const received = batches().sort(
      (a, b) =>
        sent.findIndex((job) => JSON.stringify(job) === a.Entries[0]?.MessageBody) -
        sent.findIndex((job) => JSON.stringify(job) === b.Entries[0]?.MessageBody),
    );
    expect(received.map((batch) => batch.Entries.length)).toEqual([10, 10, 3]);
    expect(received.map((batch) => batch.QueueUrl)).toEqual([queueUrl, queueUrl, queueUrl]);
    for (const batch of received) {
      expect(new Set(batch.Entries.map((entry) => entry.Id)).size).toBe(batch.Entries.length);
    }
    const bodies = received.flatMap((batch) => batch.Entries.map((entry) => entry.MessageBody));
    expect(bodies).toEqual(sent.map((job) => JSON.stringify(job)));
    expect(bodies.map((body) => parseJob(body))).toEqual(sent);
  });

  it("sends nothing for no jobs", async () => {
    await queue.send([]);

    expect(sqs.requests).toEqual([]);
  });

  it.each([
    [undefined, 0],
    [0, 0],
    [30, 30],
    [900, 900],
    [2000, 900],
    [-5, 0],
    [1.2, 2],
  ])("sends delaySeconds %p as DelaySeconds %p on every entry", async (delaySeconds, expected) => {
    await queue.send(jobs(12), delaySeconds === undefined ? {} : { delaySeconds });

    const delays = batches().flatMap((batch) => batch.Entries.map((entry) => entry.DelaySeconds));
    expect(delays).toEqual(new Array(12).fill(expected));
  });
});

describe("entries SQS refuses", () => {
  it("re-sends the entries listed in Failed, alone, and resolves once they are taken", async () => {
    // SQS refuses the second entry once
    const sent = jobs(3);
    let refused = false;
    sqs.respondWith(
      accepting((entry) => {
        if (refused || entry.MessageBody !== JSON.stringify(sent[1])) return false;
        refused = true;
        return true;
      }),
    );

    await queue.send(sent, { delaySeconds: 10 });

    const [first, retry] = batches();
    expect(batches()).toHaveLength(2);
    expect(first?.Entries).toHaveLength(3);
    expect(retry).toEqual({
      QueueUrl: queueUrl,
      Entries: [{ Id: first?.Entries[1]?.Id, MessageBody: JSON.stringify(sent[1]), DelaySeconds: 10 }],
    });
  });

  it("gives up after 3 attempts with a JobQueueError naming how many jobs were not accepted", async () => {
    // two entries are refused every time
    const sent = jobs(5);
    const stubborn = new Set([JSON.stringify(sent[0]), JSON.stringify(sent[3])]);
    sqs.respondWith(accepting((entry) => stubborn.has(entry.MessageBody)));

    const error = await queue.send(sent).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(JobQueueError);
    expect((error as Error).message).toMatch(
      /^SQS did not accept 2 broadcast job\(s\): Service is temporarily unavailable; Service is temporarily unavailable\./,
    );
    expect(batches().map((batch) => batch.Entries.length)).toEqual([5, 2, 2]);
    expect(batches()[2]?.Entries.map((entry) => entry.MessageBody)).toEqual([...stubborn]);
  });

  it("turns a refused request (403 AccessDenied) into a JobQueueError with the service error as cause", async () => {
    // the function's role lacks sqs:SendMessage
    sqs.respondWith(() => ({
      status: 403,
      body: {
        __type: "com.amazon.coral.service#AccessDeniedException",
        message:
          "User: arn:aws:sts::123456789012:assumed-role/lambdagram-worker/fn is not authorized to perform: " +
          "sqs:sendmessage on resource: arn:aws:sqs:eu-west-1:123456789012:lambdagram-broadcasts",
      },
    }));

    const error = (await queue.send(jobs(4)).catch((thrown: unknown) => thrown)) as JobQueueError;

    // one request (a client error is not retried), the cause kept for the logs
    expect(error).toBeInstanceOf(JobQueueError);
    expect(error.message).toMatch(/^SQS did not accept 4 broadcast job\(s\): User: .* is not authorized/);
    expect(error.message).toContain("sqs:SendMessage permission");
    expect(error.cause).toBeInstanceOf(SQSServiceException);
    expect((error.cause as SQSServiceException).name).toBe("AccessDeniedException");
    expect((error.cause as SQSServiceException).$metadata.httpStatusCode).toBe(403);
    expect(sqs.requests).toHaveLength(1);
  });
});
