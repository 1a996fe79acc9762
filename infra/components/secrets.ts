/**
 * The bot's secrets as SSM SecureString parameters: the bot token (from `pulumi config set --secret`), the
 * webhook secret and the admin API token (both generated here). Values stay Pulumi secrets (encrypted in
 * state) and reach the functions only as parameter NAMES; handlers fetch the values at cold start.
 */
import * as ssm from "@pulumi/aws/ssm";
import * as pulumi from "@pulumi/pulumi";

/**
 * Generates a random token once, at create, and keeps it across updates (no `update`, no diff unless the
 * length changes). A dynamic provider instead of @pulumi/random, which is not installed. The methods use only
 * globals (`crypto`, `Buffer`) because Pulumi serialises this object into the deployment's provider process.
 */
export const randomTokenProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: { bytes: number }) {
    const raw = new Uint8Array(inputs.bytes);
    globalThis.crypto.getRandomValues(raw);
    // base64url: Telegram's secret_token allows only A-Z, a-z, 0-9, _ and -.
    const value = Buffer.from(raw).toString("base64url");
    return { id: `random-${inputs.bytes}-bytes`, outs: { bytes: inputs.bytes, value } };
  },
  async diff(_id: string, olds: { bytes: number }, news: { bytes: number }) {
    const changed = olds.bytes !== news.bytes;
    return { changes: changed, replaces: changed ? ["bytes"] : [] };
  },
};

/** Arguments of {@link RandomToken}. */
export interface RandomTokenArgs {
  /** Entropy in bytes; 32 gives a 43-character base64url token. */
  bytes?: number;
}

/** A random base64url token, generated once and stable across `pulumi up`; `value` is a secret output. */
export class RandomToken extends pulumi.dynamic.Resource {
  /** The token (a secret). */
  declare readonly value: pulumi.Output<string>;

  constructor(name: string, args: RandomTokenArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      randomTokenProvider,
      name,
      { bytes: args.bytes ?? 32, value: undefined },
      { ...opts, additionalSecretOutputs: ["value"] },
      "lambdagram",
      "RandomToken",
    );
  }
}

/** Arguments of {@link BotSecrets}. */
export interface BotSecretsArgs {
  /** The bot token as a Pulumi secret (config `telegramBotToken`). */
  telegramBotToken: pulumi.Input<string>;
  /** Prefix of the parameter names, e.g. `/lambdagram/prod`. */
  parameterPrefix: string;
}

/** One SSM parameter: the name handlers receive and the ARN their IAM policy names. */
export interface SecretParameter {
  name: pulumi.Output<string>;
  arn: pulumi.Output<string>;
}

/** The bot token, webhook secret and admin token in SSM, plus the generated values as secret outputs. */
export class BotSecrets extends pulumi.ComponentResource {
  readonly botToken: SecretParameter;
  readonly webhookSecret: SecretParameter;
  readonly adminToken: SecretParameter;
  /** The webhook secret value (secret output), for setWebhook's `secret_token`. */
  readonly webhookSecretValue: pulumi.Output<string>;
  /** The admin API bearer token (secret output): `pulumi stack output adminApiToken --show-secrets`. */
  readonly adminTokenValue: pulumi.Output<string>;
  /** The bot token (secret output), for the deploy-time Telegram calls. */
  readonly botTokenValue: pulumi.Output<string>;
  /**
   * The parameters' versions, e.g. `1.1.1`: set as an environment variable it changes the functions'
   * configuration whenever a secret is rotated, so Lambda starts fresh environments that read the new value.
   */
  readonly version: pulumi.Output<string>;

  constructor(name: string, args: BotSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lambdagram:index:BotSecrets", name, {}, opts);
    const parent = { parent: this };

    // pulumi.secret() again: mocks and older engines do not apply additionalSecretOutputs.
    this.botTokenValue = pulumi.secret(pulumi.output(args.telegramBotToken));
    this.webhookSecretValue = pulumi.secret(new RandomToken(`${name}-webhook-secret`, {}, parent).value);
    this.adminTokenValue = pulumi.secret(new RandomToken(`${name}-admin-token`, {}, parent).value);

    const versions: pulumi.Output<number>[] = [];
    const parameter = (id: string, description: string, value: pulumi.Output<string>): SecretParameter => {
      const resource = new ssm.Parameter(
        `${name}-${id}`,
        {
          name: `${args.parameterPrefix}/${id}`,
          description,
          type: "SecureString", // encrypted with the AWS managed key alias/aws/ssm
          value,
        },
        parent,
      );
      versions.push(resource.version);
      return { name: resource.name, arn: resource.arn };
    };
    this.botToken = parameter(
      "telegram-bot-token",
      "Telegram bot token (from @BotFather)",
      this.botTokenValue,
    );
    this.webhookSecret = parameter(
      "webhook-secret",
      "Telegram webhook secret_token, checked on every update",
      this.webhookSecretValue,
    );
    this.adminToken = parameter("admin-api-token", "Bearer token of the admin API", this.adminTokenValue);

    this.version = pulumi.all(versions).apply((numbers) => numbers.join("."));

    this.registerOutputs({
      botTokenParameter: this.botToken.name,
      webhookSecretParameter: this.webhookSecret.name,
    });
  }
}
