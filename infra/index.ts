/**
 * Entry point of `pulumi up` (Pulumi.yaml `main: infra/`): reads and validates the stack config, builds the
 * {@link Lambdagram} component from the bundles in dist/ (`npm run build`), and exports the stack outputs.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadContent } from "../content/load";
import { botCommandsFrom } from "../contracts/commands";
import { Lambdagram } from "./components/lambdagram";
import { readStackConfig } from "./config";

const project = pulumi.getProject();
const stack = pulumi.getStack();

const config = readStackConfig();
const app = new Lambdagram(project, {
  ...config,
  // Every taggable resource carries the stack's name beside the operator's own tags (config `tags`).
  tags: { "lambdagram:stack": stack, ...config.tags },
  // LAMBDAGRAM_DIST_DIR lets the tests point at stub bundles; deployments use dist/ next to Pulumi.yaml.
  distDir: process.env.LAMBDAGRAM_DIST_DIR ?? path.join(__dirname, "..", "dist"),
  namePrefix: `/${project}/${stack}`,
  // Dashboard names allow only letters, digits, '-' and '_' (stack names may also contain '.').
  dashboardName: `${project}-${stack}`.replace(/[^A-Za-z0-9_-]/g, "-"),
  // The menu texts are content: a pack that fails validation stops `pulumi up` with the checker's message.
  commands: botCommandsFrom(loadContent(path.join(__dirname, "..", "content"))),
});

/** The webhook URL Telegram was given (setWebhook runs inside `pulumi up`); useful for curl checks. */
export const webhookUrl = app.webhookUrl;
/** Base URL of the admin API (`POST /broadcasts`, `GET /broadcasts/{id}`), bearer token below. */
export const adminApiUrl = app.adminApiUrl;
/** The admin API bearer token (secret): `pulumi stack output adminApiToken --show-secrets`. */
export const adminApiToken = app.adminApiToken;
/** The DynamoDB table, for the AWS console and backups. */
export const tableName = app.tableName;
/** The CloudWatch dashboard in the console. */
export const dashboardUrl = app.dashboardUrl;
/** SNS topic the alarms notify; subscribe more endpoints to it if needed. */
export const alarmTopicArn = app.alarmTopicArn;
