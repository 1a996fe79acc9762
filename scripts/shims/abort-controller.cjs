// Bundled in place of `abort-controller` (scripts/build.ts): grammY takes its AbortController from that
// polyfill on Node, but Node >= 15 has one built in. node-fetch 2 recognises a signal by its class name,
// which a minifier renames in the polyfill (and then every Bot API call fails); the built-in's name is
// fixed, so the bundles need neither the polyfill nor esbuild's keepNames (thousands of __name calls at load).
module.exports = {
  AbortController: globalThis.AbortController,
  AbortSignal: globalThis.AbortSignal,
  default: globalThis.AbortController,
};
