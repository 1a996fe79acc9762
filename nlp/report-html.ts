/**
 * The evaluation report as one self-contained HTML page: inline CSS, an inline SVG confusion-matrix heat
 * map, the per-intent table and the out-of-scope trade-off. No scripts, fonts or images from anywhere, so it
 * opens offline and can be attached to an issue. Pure: returns a string; the CLI writes it.
 */
import type { EvaluationResult } from "./evaluate";

/** One evaluated test set (or one language of a cross-validation) in the report. */
export interface ReportSection {
  title: string;
  result: EvaluationResult;
}

/** What the report shows: a title, the command that produced it, a few facts, and the sections. */
export interface ReportInput {
  title: string;
  command?: string;
  facts?: Record<string, string>;
  sections: ReportSection[];
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

/**
 * The confusion matrix as an SVG heat map: rows are gold intents, columns predictions; a cell's shade is
 * the share of the row's utterances (blue on the diagonal, red off it). Every cell has a tooltip; axis
 * labels are drawn when there are at most 60 intents.
 */
export function confusionHeatMap(confusion: EvaluationResult["confusion"], id: string): string {
  const n = confusion.labels.length;
  const cell = Math.max(3, Math.min(18, Math.floor(900 / Math.max(1, n))));
  const labelled = n <= 60;
  const margin = labelled ? Math.min(220, 8 + 7 * Math.max(...confusion.labels.map((l) => l.length), 4)) : 8;
  const size = margin + n * cell + 2;
  const parts: string[] = [
    `<svg class="heatmap" id="${escapeHtml(id)}" xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="Confusion matrix heat map">`,
    `<rect x="${margin}" y="${margin}" width="${n * cell}" height="${n * cell}" fill="#fafafa" stroke="#ccc"/>`,
  ];
  confusion.labels.forEach((gold, i) => {
    const row = confusion.counts[i] as number[];
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => {
      if (count === 0) return;
      const share = count / Math.max(1, total);
      const hue = i === j ? 212 : 4;
      const light = Math.round(92 - 62 * Math.sqrt(share));
      const predicted = confusion.labels[j] as string;
      parts.push(
        `<rect class="cell${i === j ? " diagonal" : ""}" x="${margin + j * cell}" y="${margin + i * cell}" width="${cell}" height="${cell}" fill="hsl(${hue},75%,${light}%)"><title>${escapeHtml(gold)} → ${escapeHtml(predicted)}: ${count} (${pct(share)} of ${escapeHtml(gold)})</title></rect>`,
      );
    });
  });
  if (labelled) {
    const font = Math.min(11, cell - 1);
    confusion.labels.forEach((label, i) => {
      const text = escapeHtml(label);
      const middle = margin + i * cell + cell / 2 + font / 3;
      parts.push(
        `<text x="${margin - 4}" y="${middle}" text-anchor="end" font-size="${font}">${text}</text>`,
      );
      parts.push(
        `<text x="${middle}" y="${margin - 4}" font-size="${font}" transform="rotate(-90 ${middle} ${margin - 4})">${text}</text>`,
      );
    });
  }
  parts.push("</svg>");
  return parts.join("");
}

function card(label: string, value: string): string {
  return `<div class="card"><div class="value">${escapeHtml(value)}</div><div class="label">${escapeHtml(label)}</div></div>`;
}

function section(s: ReportSection, index: number): string {
  const r = s.result;
  const cards = [
    card("accuracy", pct(r.accuracy)),
    card("macro-F1", pct(r.macroF1)),
    card("right intent in top 3", pct(r.top3Accuracy)),
    ...(r.oos
      ? [
          card("in-scope accuracy", pct(r.oos.inScopeAccuracy)),
          card("in-scope, best class", pct(r.oos.inScopeAccuracyTop1)),
          card("OOS recall", pct(r.oos.oosRecall)),
          card("OOS precision", pct(r.oos.oosPrecision)),
        ]
      : []),
    card("confident answers right", pct(r.confidentPrecision)),
    card("classify p50", `${r.latency.p50.toFixed(3)} ms`),
    card("classify p99", `${r.latency.p99.toFixed(3)} ms`),
    card("utterances", String(r.utterances)),
  ].join("");
  const tradeOff = r.oos
    ? `<h3>Out-of-scope trade-off</h3><p>Everything below the low threshold (or on the out-of-scope class) is rejected.</p>
<table class="numbers"><thead><tr><th>low threshold</th><th>in-scope accuracy</th><th>OOS recall</th><th>OOS precision</th><th>overall accuracy</th></tr></thead><tbody>${r.oos.operatingPoints
        .map(
          (p) =>
            `<tr><td>${p.low.toFixed(2)}</td><td>${pct(p.inScopeAccuracy)}</td><td>${pct(p.oosRecall)}</td><td>${pct(p.oosPrecision)}</td><td>${pct(p.accuracy)}</td></tr>`,
        )
        .join("")}</tbody></table>`
    : "";
  const pairs =
    r.confusedPairs.length === 0
      ? "<p>No confusions.</p>"
      : `<table class="numbers"><thead><tr><th class="name">gold</th><th class="name">predicted</th><th>count</th></tr></thead><tbody>${r.confusedPairs
          .map(
            (p) =>
              `<tr><td class="name">${escapeHtml(p.gold)}</td><td class="name">${escapeHtml(p.predicted)}</td><td>${p.count}</td></tr>`,
          )
          .join("")}</tbody></table>`;
  const perIntent = [...r.perIntent]
    .sort((a, b) => a.f1 - b.f1 || a.intent.localeCompare(b.intent))
    .map((m) => {
      const bar = `<span class="bar" style="width:${Math.round(m.f1 * 100)}px"></span>`;
      return `<tr><td class="name">${escapeHtml(m.intent)}</td><td>${pct(m.precision)}</td><td>${pct(m.recall)}</td><td>${pct(m.f1)} ${bar}</td><td>${m.support}</td></tr>`;
    })
    .join("");
  return `<section>
<h2>${escapeHtml(s.title)}</h2>
<div class="cards">${cards}</div>
${tradeOff}
<h3>Confusion matrix</h3>
<p class="hint">Rows: true intent; columns: predicted. Blue: right; red: confused. Hover a cell for counts.</p>
<div class="scroll">${confusionHeatMap(r.confusion, `heatmap-${index}`)}</div>
<h3>Most confused pairs</h3>
${pairs}
<h3>Per intent (worst F1 first)</h3>
<table class="numbers per-intent"><thead><tr><th class="name">intent</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead><tbody>${perIntent}</tbody></table>
</section>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1d2330;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #e3e6ec;padding-bottom:4px}h3{font-size:15px;margin:20px 0 6px}
code{background:#f2f4f7;padding:1px 4px;border-radius:3px}
.cards{display:flex;flex-wrap:wrap;gap:8px}.card{border:1px solid #e3e6ec;border-radius:6px;padding:8px 12px;min-width:110px}
.card .value{font-size:20px;font-weight:600}.card .label{color:#5b6474;font-size:12px}
table{border-collapse:collapse;margin:6px 0}th,td{padding:3px 10px;border-bottom:1px solid #eef0f3;text-align:right}
th{background:#f6f7f9;font-weight:600}td.name,th.name{text-align:left}
.bar{display:inline-block;height:8px;background:#3b82f6;border-radius:2px;vertical-align:middle;margin-left:6px}
.scroll{overflow:auto;max-height:960px;border:1px solid #eef0f3}.hint{color:#5b6474;font-size:12px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}dt{color:#5b6474}dd{margin:0}
`;

/** Renders the whole report page. */
export function renderReport(input: ReportInput): string {
  const facts = Object.entries(input.facts ?? {})
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
${input.command ? `<p><code>${escapeHtml(input.command)}</code></p>` : ""}
${facts ? `<dl>${facts}</dl>` : ""}
${input.sections.map(section).join("\n")}
</body>
</html>
`;
}
