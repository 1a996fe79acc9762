// Validates the realistic probe sets: every line is JSON {text, label, tags}, the label is an intent id
// of /work/plan/intents.md or "oos", tags come from the agreed list, no duplicate texts, and the
// per-language minimums (>= 170 lines, >= 1/3 oos, >= half of oos near-domain) hold.
// Usage: node check.mjs [catalog.md]   (run from this folder)
import { readFileSync } from 'node:fs';
const dir = new URL('.', import.meta.url).pathname;
const catalog = readFileSync(process.argv[2] ?? `${dir}../intents.md`, 'utf8');
const ids = new Set([...catalog.matchAll(/^- `([a-z0-9.-]+)`/gm)].map((m) => m[1]));
ids.add('oos');
const TAGS = new Set(['typo', 'fragment', 'slang', 'no-question-mark', 'no-diacritics', 'simplified', 'code-mix',
  'emoji', 'bot-feature', 'near-domain', 'off-topic', 'chitchat']);
let failed = 0;
const fail = (msg) => { failed++; console.error(msg); };
for (const lang of ['en', 'vi', 'zh-TW']) {
  const lines = readFileSync(`${dir}${lang}.jsonl`, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const texts = new Set();
  const count = { total: 0, oos: 0, near: 0, used: new Set() };
  lines.forEach((line, i) => {
    let row;
    try { row = JSON.parse(line); } catch (e) { return fail(`${lang}:${i + 1} not JSON: ${e.message}`); }
    if (typeof row.text !== 'string' || row.text.trim() === '') fail(`${lang}:${i + 1} empty text`);
    if (!ids.has(row.label)) fail(`${lang}:${i + 1} unknown label ${row.label}`);
    if (!Array.isArray(row.tags)) fail(`${lang}:${i + 1} tags is not an array`);
    for (const t of row.tags ?? []) if (!TAGS.has(t)) fail(`${lang}:${i + 1} unknown tag ${t}`);
    const key = row.text.trim().toLowerCase();
    if (texts.has(key)) fail(`${lang}:${i + 1} duplicate text ${row.text}`);
    texts.add(key);
    count.total++;
    count.used.add(row.label);
    if (row.label === 'oos') { count.oos++; if (row.tags.includes('near-domain')) count.near++; }
    else if (row.tags.includes('near-domain') || row.tags.includes('off-topic')) fail(`${lang}:${i + 1} in-scope row tagged oos-only tag`);
  });
  if (count.total < 170) fail(`${lang}: only ${count.total} lines`);
  if (count.oos * 3 < count.total) fail(`${lang}: oos ${count.oos} is under a third of ${count.total}`);
  if (count.near * 2 < count.oos) fail(`${lang}: near-domain ${count.near} is under half of oos ${count.oos}`);
  const unused = [...ids].filter((id) => !count.used.has(id));
  console.log(`${lang}: ${count.total} lines, ${count.oos} oos (${count.near} near-domain), ${count.used.size - 1} intents used` +
    (unused.length ? `, not used: ${unused.join(' ')}` : ''));
}
if (failed) { console.error(`${failed} problem(s)`); process.exit(1); }
console.log('ok');
