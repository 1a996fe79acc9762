/** Key builders of the broadcast items (port.ts lists them), shared by the adapter and its /forget part. */
import { tableDefinition } from "../../../contracts/table";

const pk = tableDefinition.partitionKey;
const sk = tableDefinition.sortKey;

function pad2(value: number): string {
  return String(value).padStart(2, "0");
}

/** Key builders of the broadcast items, exported so tools and tests spell them one way. */
export const broadcastKeys = {
  meta: (id: string) => ({ [pk]: `BROADCAST#${id}`, [sk]: "META" }),
  counters: (id: string, shard: number) => ({ [pk]: `BROADCAST#${id}`, [sk]: `COUNT#${pad2(shard)}` }),
  shardPartition: (id: string, shard: number) => `BROADCAST#${id}#${pad2(shard)}`,
  plan: (id: string, shard: number, part: number) => ({
    [pk]: `BROADCAST#${id}#${pad2(shard)}`,
    [sk]: `PLAN#${String(part).padStart(6, "0")}`,
  }),
  recipient: (id: string, shard: number, userId: number) => ({
    [pk]: `BROADCAST#${id}#${pad2(shard)}`,
    [sk]: `R#${userId}`,
  }),
  /** The month listing of broadcasts: `createdAt` is ISO, so its first 7 characters are the month. */
  listing: (createdAt: string, id: string) => ({
    [pk]: `BROADCASTS#${createdAt.slice(0, 7)}`,
    [sk]: `${createdAt}#${id}`,
  }),
};
