// Bundled in place of `@aws-sdk/credential-provider-node` (scripts/build.ts), the SDK's default credential
// chain (environment, SSO, profiles, web identity, container and instance roles, with the STS and SSO clients
// they need: ~130 KB the cold start would parse). A Lambda function always has its role's credentials in the
// environment, and bot/runtime/aws.ts passes them to every client, so the bundles keep only the environment
// step. Scripts run from a laptop run the sources (tsx), where the SDK's full chain is used unchanged.
const { fromEnv } = require("@aws-sdk/credential-provider-env");

function defaultProvider(init = {}) {
  const environment = fromEnv(init);
  return async (options) => {
    try {
      return await environment(options);
    } catch (error) {
      throw new Error(
        "No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). Lambda sets them " +
          "from the function's role; the bundles carry only this step of the SDK's credential chain, so run " +
          "the sources (npx tsx) to use profiles or SSO.",
        { cause: error },
      );
    }
  };
}

// The two helpers the package also exports, as it defines them.
const credentialsWillNeedRefresh = (credentials) => credentials?.expiration !== undefined;
const credentialsTreatedAsExpired = (credentials) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;

module.exports = { defaultProvider, credentialsWillNeedRefresh, credentialsTreatedAsExpired };
