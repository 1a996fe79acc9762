/**
 * The composition root: one object that builds every adapter the handlers use from an environment record,
 * each on first use and once (one DynamoDB client per container, SQS only when a job is queued, SSM only when
 * a secret is not a plain variable). The Lambda handlers (bot/handlers/) create it from `process.env`; the
 * local stack (local/stack.ts) creates it from its own record and hands over what it runs in process (the
 * content from source, the NLP model, the in-process queue); tests hand over fakes the same way.
 */
import type { Content } from "../../content/schema";
import type { BroadcastRates } from "../../contracts/broadcast-rates";
import { env as envNames } from "../../contracts/runtime";
import { RuleClassifier } from "../../nlp/rules";
import type { IntentClassifier } from "../../nlp/types";
import { DynamoBroadcastStore } from "../broadcast/store/dynamodb";
import type { BroadcastStore } from "../broadcast/store/port";
import type { BotConfig } from "../context";
import { supportChatParticipant } from "../handoff/forget";
import { DynamoHandoffStore } from "../handoff/store/dynamodb";
import type { HandoffStore } from "../handoff/store/port";
import { DynamoInboxStore } from "../inbox/store/dynamodb";
import type { InboxStore } from "../inbox/store/port";
import type { JobQueue } from "../jobs/port";
import { createMetrics, type MetricSink, type Metrics } from "../observability/metrics";
import type { Clock, Logger } from "../ports";
import {
  createUserDataEraser,
  participant,
  storageParticipants,
  type UserDataEraser,
  type UserDataParticipant,
} from "../privacy/eraser";
import { DynamoTipStore } from "../recommendations/store/dynamodb";
import type { TipStore } from "../recommendations/store/port";
import { DynamoAudienceCounter, PagedAudienceCounter } from "../stats/audience";
import { CloudWatchMetricsReader } from "../stats/cloudwatch";
import type { StatsSources } from "../stats/collect";
import type { AudienceCounter, MetricsReader } from "../stats/port";
import type { AnswerStore, Storage, UserStore } from "../storage/port";
import { systemClock } from "../storage/shared";
import { awsClientConfigFrom } from "./aws";
import { broadcastRatesFrom, sqsJobQueueFrom } from "./broadcast";
import {
  botConfigFrom,
  type Environment,
  loadBundledContent,
  loadBundledRules,
  loggerFrom,
  once,
  readSecrets,
  type SecretSource,
  storageFrom,
  type Table,
  tableFrom,
} from "./environment";
import { loadNlpClassifier } from "./nlp";

/** What a local runner or a test hands over instead of what the environment would build. */
export interface ServiceOverrides {
  /** Where `npm run build` put content.json, rules.json and model.json (default: none, so give `content`). */
  directory?: string;
  /** The content pack (the local stack loads it from content/; the rule tier is then compiled from it). */
  content?: Content;
  /** The NLP classifier (the local stack trains or loads it itself). */
  nlp?: IntentClassifier;
  /** The job queue (the local stack's in-process queue); SQS at BROADCAST_QUEUE_URL otherwise. */
  jobs?: JobQueue;
  clock?: Clock;
  /** Stores to use instead of DynamoDB (tests, the in-memory benchmark). */
  users?: UserStore;
  broadcasts?: BroadcastStore;
  tips?: TipStore;
  /**
   * Where the handlers' EMF metric lines go (the local stack's capture, bot/stats/emf-reader.ts). Without it
   * metrics go to stdout on Lambda (CloudWatch reads them from the log) and nowhere elsewhere.
   */
  metricSink?: MetricSink;
  /** Where /stats reads metrics (the local stack's capture); CloudWatch otherwise. */
  metricsReader?: MetricsReader;
  /** Questionnaire submissions (tests of the admin API's questionnaire routes). */
  answers?: AnswerStore;
  inbox?: InboxStore;
}

/** The adapters and settings the handlers are built from; see the module comment. */
export class Services {
  readonly clock: Clock;
  private readonly memo = new Map<string, unknown>();

  constructor(
    readonly environment: Environment,
    private readonly overrides: ServiceOverrides = {},
  ) {
    this.clock = overrides.clock ?? systemClock;
  }

  /** Builds `value` on first use, then returns the same one. */
  private once<T>(name: string, build: () => T): T {
    if (!this.memo.has(name)) this.memo.set(name, build());
    return this.memo.get(name) as T;
  }

  /** A JSON logger at LOG_LEVEL naming the function. */
  logger(fn: string): Logger {
    return loggerFrom(this.environment, { fn });
  }

  /** The operator's bot configuration. */
  get config(): BotConfig {
    return this.once("config", () => botConfigFrom(this.environment));
  }

  /** Broadcast and tip rates (R, C, R / C, batch size). */
  get rates(): BroadcastRates {
    return this.once("rates", () => broadcastRatesFrom(this.environment));
  }

  /** Secrets given as plain variables or SSM parameter names, in the order asked (one SSM request). */
  secrets(sources: SecretSource[]): Promise<string[]> {
    return readSecrets(this.environment, sources);
  }

  /** The DynamoDB document client and table name: one client per container. */
  get table(): Table {
    return this.once("table", () => tableFrom(this.environment));
  }

  /** Chat state, users, answers and processed updates on the table. */
  get storage(): Storage {
    return this.once("storage", () => storageFrom(this.table, this.clock));
  }

  /** User profiles (given, or the table's). */
  get users(): UserStore {
    return this.overrides.users ?? this.storage.users;
  }

  /** Questionnaire submissions and the `responses` index (given, or the table's). */
  get answers(): AnswerStore {
    return this.overrides.answers ?? this.storage.answers;
  }

  /**
   * The broadcast job store. `queryCounters` reads the 16 shard counters with one Query (the worker and the admin
   * API ask for it); without it they are read with GetItem, for a role that may not Query the table.
   */
  broadcasts(options: { queryCounters?: boolean } = {}): BroadcastStore {
    if (this.overrides.broadcasts) return this.overrides.broadcasts;
    const queryCounters = options.queryCounters === true;
    return this.once(`broadcasts:${queryCounters}`, () => {
      return new DynamoBroadcastStore({ ...this.table, clock: this.clock, queryCounters });
    });
  }

  /** Tip claims and history. */
  get tips(): TipStore {
    return (
      this.overrides.tips ?? this.once("tips", () => new DynamoTipStore({ ...this.table, clock: this.clock }))
    );
  }

  /** Human handoff threads (bot/handoff/), on the table. */
  get handoff(): HandoffStore {
    return this.once("handoff", () => new DynamoHandoffStore(this.table));
  }

  /** What the bot could not answer (given, or the table's), kept `inboxRetentionDays` after last seen. */
  get inbox(): InboxStore {
    return (
      this.overrides.inbox ??
      this.once(
        "inbox",
        () =>
          new DynamoInboxStore({
            ...this.table,
            clock: this.clock,
            retentionDays: this.config.inboxRetentionDays,
          }),
      )
    );
  }

  /**
   * Every store that keeps data about users, as /forget and the blocked-user sweep erase them: a new store
   * with user data adds its line here (before the storage's own, whose chat state must go last).
   */
  get userDataParticipants(): UserDataParticipant[] {
    return [
      participant("broadcasts", this.broadcasts()),
      participant("tips", this.tips),
      participant("inbox", this.inbox),
      participant("handoff", this.handoff),
      supportChatParticipant(this.storage.chats, this.config.supportChatId),
      ...storageParticipants({ ...this.storage, users: this.users }),
    ];
  }

  /** Deletes everything about a user, over {@link userDataParticipants}. */
  eraser(logger: Logger): UserDataEraser {
    return createUserDataEraser(this.userDataParticipants, { logger });
  }

  /** The job queue: given, or SQS at BROADCAST_QUEUE_URL (a missing URL fails here, naming it). */
  get jobs(): JobQueue {
    return this.overrides.jobs ?? this.once("jobs", () => sqsJobQueueFrom(this.environment));
  }

  /** The job queue if one is configured (the webhook runs without one; sending a broadcast then says so). */
  get optionalJobs(): JobQueue | undefined {
    return this.overrides.jobs || this.environment[envNames.broadcastQueueUrl] ? this.jobs : undefined;
  }

  /** The metrics emitter of a function (see {@link ServiceOverrides.metricSink}), or undefined when unused. */
  metrics(logger: Logger): Metrics | undefined {
    const now = () => this.clock.now().getTime();
    if (this.overrides.metricSink) return createMetrics({ write: this.overrides.metricSink, now, logger });
    return this.environment.AWS_LAMBDA_FUNCTION_NAME ? createMetrics({ now, logger }) : undefined;
  }

  /** Where /stats reads metrics: given, or CloudWatch (its client loaded on the first read). */
  get metricsReader(): MetricsReader {
    return (
      this.overrides.metricsReader ??
      this.once(
        "metricsReader",
        () => new CloudWatchMetricsReader(awsClientConfigFrom(this.environment, "cloudwatch")),
      )
    );
  }

  /** Users and subscribers counted from the table's indexes (or by paging the given user store). */
  get audience(): AudienceCounter {
    return this.once("audience", () =>
      this.overrides.users
        ? new PagedAudienceCounter(this.overrides.users)
        : new DynamoAudienceCounter(this.table),
    );
  }

  /** What /stats and `GET /admin/stats` read, built on the first read (a cold start builds no client for it). */
  get stats(): StatsSources {
    return {
      metrics: { dailySums: (queries, range) => this.metricsReader.dailySums(queries, range) },
      audience: { count: () => this.audience.count() },
    };
  }

  /** The content pack: given, or content.json bundled next to the handler. */
  get content(): Content {
    return this.once("content", () => this.overrides.content ?? loadBundledContent(this.directory()));
  }

  /** The rule tier: compiled from given content, or rules.json bundled next to the handler. */
  get rules(): RuleClassifier {
    return this.once("rules", () =>
      this.overrides.content
        ? new RuleClassifier(this.overrides.content)
        : loadBundledRules(this.directory()),
    );
  }

  /** The NLP classifier: given, or model.json (read on first use when `lazy`). */
  nlp(logger: Logger, options: { lazy?: boolean } = {}): IntentClassifier | undefined {
    return this.overrides.nlp ?? loadNlpClassifier(this.directory(), logger, options);
  }

  private directory(): string {
    return this.overrides.directory ?? process.cwd();
  }
}

/** Creates the composition root over an environment record. */
export function createServices(environment: Environment, overrides: ServiceOverrides = {}): Services {
  return new Services(environment, overrides);
}

/**
 * A Lambda handler built once per execution environment from `process.env` by `build` (a failed cold start
 * is retried on the next invocation); `directory` is where the bundle's files are (the handler's __dirname).
 */
export function lambdaHandler<Event, Context, Result>(
  directory: string,
  build: (services: Services) => Promise<(event: Event, context: Context) => Promise<Result>>,
): (event: Event, context: Context) => Promise<Result> {
  const ready = once(() => build(createServices(process.env, { directory })));
  return async (event, context) => (await ready())(event, context);
}
