#!/usr/bin/env node
// `npx lambdagram <area> <command> ...`: runs the TypeScript CLIs through tsx, so nothing needs a build step.
// Areas: `nlp` (train, evaluate), `inbox` (export). Usage: npx lambdagram nlp evaluate --train T.jsonl --test T.jsonl

require("tsx/cjs");

const areas = {
  nlp: () => require("../nlp/cli.ts"),
  inbox: () => require("../local/inbox-cli.ts"),
};

const [area, ...rest] = process.argv.slice(2);
const load = area === undefined ? undefined : areas[area];
if (!load) {
  console.error(
    `${area === undefined ? "Missing area" : `Unknown area "${area}"`}. Usage: lambdagram <${Object.keys(areas).join("|")}> <command> [options]\n` +
      "  e.g. lambdagram nlp train, lambdagram nlp evaluate --train TRAIN.jsonl --test TEST.jsonl",
  );
  process.exit(2);
}
// A CLI's main returns its exit code, or a promise of it (the inbox export talks to the admin API).
Promise.resolve(load().main(rest)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
