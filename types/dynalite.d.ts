/** Minimal types for dynalite 4 (it ships none): the factory returns a plain Node HTTP server to `listen` on. */
declare module "dynalite" {
  import type { Server } from "node:http";

  /** Options of the dynalite factory (see node_modules/dynalite/index.js). */
  interface DynaliteOptions {
    /** LevelDB folder; in memory when omitted. Never open one path from two instances. */
    path?: string;
    /** Time tables stay CREATING (default 500 ms); 0 makes tests fast. */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
    ssl?: boolean;
    verbose?: boolean;
    debug?: boolean;
  }

  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
