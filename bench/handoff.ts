/**
 * Human handoff benchmark on the local stack (emulator, webhook over HTTP, dynalite), p50/p99 of:
 * 1. a staff reply: a staff member replies to the thread's message in the support group, the update goes to
 *    the webhook, and the reply reaches the user's chat (in the same invocation);
 * 2. a user follow-up: the user writes in an open thread and the message appears in the support group;
 * Baseline in the same run: an ordinary chat round trip (a user's /help and the bot's answer).
 *
 *   npx tsx bench/handoff.ts [messages=200]
 */
import { performance } from "node:perf_hooks";
import { handoffLimits } from "../bot/handoff/state";
import { startLocalStack } from "../local/stack";

const messages = Number(process.argv[2] ?? 200);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main() {
  const stack = await startLocalStack({ port: 0, dataDir: null, runSchedule: false, logLevel: "silent" });
  const { emulator, support } = stack;
  if (!emulator || !support) throw new Error("the local stack should run the emulator with a support group");
  const timed = async (act: () => unknown) => {
    const started = performance.now();
    await act();
    await emulator.idle({ timeoutMs: 10_000 });
    return performance.now() - started;
  };
  const lastBot = (chatId: number) => emulator.lastBotMessage(chatId);
  try {
    const user = emulator.createUser({ first_name: "Bench", language_code: "en" });
    await timed(() => emulator.sendText(user.id, "/human I need a person"));
    const root = lastBot(support.chatId)?.messageId;
    if (!root) throw new Error("the question did not reach the support group");

    const baseline: number[] = [];
    const replies: number[] = [];
    const followUps: number[] = [];
    for (let i = 0; i < messages; i++) {
      const before = lastBot(user.id)?.messageId;
      replies.push(
        await timed(() =>
          emulator.sendText(support.staffUserId, `answer ${i}`, {
            chatId: support.chatId,
            replyToMessageId: root,
          }),
        ),
      );
      if (lastBot(user.id)?.messageId === before) throw new Error(`staff reply ${i} did not reach the user`);
    }
    // Follow-ups: a fresh user (and thread) per 5 messages stays under the per-minute flood limit; the bench
    // measures the path, not the limit.
    for (let i = 0; i < messages; i++) {
      const writer =
        i % handoffLimits.messagesPerMinute === 0 ? emulator.createUser({ first_name: `B${i}` }) : undefined;
      if (writer) await timed(() => emulator.sendText(writer.id, "/human hello"));
      const id = writer?.id ?? emulator.users().at(-1)?.id ?? user.id;
      const before = lastBot(support.chatId)?.messageId;
      followUps.push(await timed(() => emulator.sendText(id, `follow-up ${i}`)));
      if (lastBot(support.chatId)?.messageId === before)
        throw new Error(`follow-up ${i} did not reach the group`);
      baseline.push(await timed(() => emulator.sendText(user.id, "/help")));
    }
    const row = (name: string, values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `| ${name} | ${percentile(sorted, 50).toFixed(1)} ms | ${percentile(sorted, 99).toFixed(1)} ms |`;
    };
    console.log(`${messages} of each, local stack (emulator -> webhook over HTTP -> dynalite -> emulator)`);
    console.log("| measure | p50 | p99 |\n|---|---|---|");
    console.log(row("staff reply in the group -> user's chat", replies));
    console.log(row("user follow-up -> support group", followUps));
    console.log(row("baseline: ordinary round trip (/help)", baseline));
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
