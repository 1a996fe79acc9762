// Bundled in place of `whatwg-url` (scripts/build.ts). node-fetch 2, grammY's HTTP client on Node, only
// falls back to whatwg-url's URL when `require("url").URL` is missing, which never happens on Node >= 10;
// the real package (tr46's Unicode tables, ~280 KB) costs ~15 ms of every cold start for nothing.
module.exports = { URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams };
