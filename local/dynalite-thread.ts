/**
 * dynalite in a worker thread, for `npm start`: DynamoDB then has its own event loop, as it has its own
 * machines on AWS, instead of taking turns with the webhook, the broadcast workers and the emulator (which
 * bunched sends and cost a broadcast at 29/s about 3 messages/s). Same table, same data folder, same stop
 * (the data is flushed to disk before the thread ends).
 */
import { Worker } from "node:worker_threads";
import { type LocalDynamo, withTable } from "./dynalite";

const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const dynalite = require(workerData.dynalitePath);
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(workerData.path ? { path: workerData.path } : {}) });
server.once("error", (error) => parentPort.postMessage({ error: error.message }));
server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }));
parentPort.on("message", () => {
  server.closeAllConnections();
  server.close((error) => parentPort.postMessage({ stopped: true, error: error ? error.message : undefined }));
});
`;

/** Starts dynalite in a worker thread (persisted at `path` when given) with the Lambdagram table. */
export async function startDynaliteThread(options: {
  tableName: string;
  path?: string;
}): Promise<LocalDynamo> {
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: { dynalitePath: require.resolve("dynalite"), path: options.path },
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", (message: { port?: number; error?: string }) => {
      if (message.port) resolve(message.port);
      else reject(new Error(`dynalite did not start: ${message.error ?? "no port"}`));
    });
  });
  return withTable(`http://127.0.0.1:${port}`, { tableName: options.tableName }, async () => {
    const stopped = new Promise<void>((resolve) => worker.once("message", () => resolve()));
    worker.postMessage("stop");
    await stopped;
    await worker.terminate();
  });
}
