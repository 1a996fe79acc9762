/**
 * Small SVG charts for the operator view, drawn from numbers with no chart library: a column chart, a
 * horizontal bar chart and a share bar. Each is an `<svg role="img">` whose label states every value, so a
 * screen reader hears the numbers the picture shows; values are also printed on the bars.
 */
import { h } from "./core.js";

const svgNs = "http://www.w3.org/2000/svg";

/** Creates an SVG element (attributes set as given, strings become text nodes). */
export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes))
    if (value !== undefined && value !== null) element.setAttribute(name, String(value));
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A chart in a figure with its caption; `summary` is what the image says in words. */
export function figure(caption, picture, summary, className = "") {
  picture.setAttribute("role", "img");
  picture.setAttribute("aria-label", `${caption}: ${summary}`);
  picture.prepend(svg("title", {}, `${caption}: ${summary}`));
  return h("figure", { class: `op-chart ${className}`.trim() }, h("figcaption", {}, caption), picture);
}

/**
 * Columns, one per `{label, value}`, with the value above each and the label below, and a baseline. Used for
 * messages per day and active users.
 */
export function columnChart(caption, bars, options = {}) {
  const width = 320;
  const height = 170;
  const top = 18;
  const bottom = 30;
  const plot = height - top - bottom;
  const max = Math.max(...bars.map((bar) => bar.value), 0) || 1;
  const slot = width / Math.max(bars.length, 1);
  const barWidth = Math.min(36, slot * 0.6);
  const picture = svg(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, class: "op-svg" },
    svg("line", { x1: 0, x2: width, y1: top + plot + 0.5, y2: top + plot + 0.5, class: "op-axis" }),
    bars.map((bar, index) => {
      const barHeight = Math.max(bar.value > 0 ? 2 : 0, (bar.value / max) * plot);
      const x = index * slot + (slot - barWidth) / 2;
      const y = top + plot - barHeight;
      return svg(
        "g",
        { class: "op-column", "data-label": bar.label, "data-value": bar.value },
        svg("rect", {
          x,
          y,
          width: barWidth,
          height: barHeight,
          rx: 3,
          class: bar.highlight ? "op-bar op-bar-strong" : "op-bar",
        }),
        svg(
          "text",
          { x: x + barWidth / 2, y: y - 4, "text-anchor": "middle", class: "op-value" },
          bar.display ?? String(bar.value),
        ),
        svg(
          "text",
          { x: x + barWidth / 2, y: height - 10, "text-anchor": "middle", class: "op-label" },
          bar.label,
        ),
      );
    }),
  );
  const summary = bars.map((bar) => `${bar.longLabel ?? bar.label}: ${bar.display ?? bar.value}`).join("; ");
  return figure(caption, picture, summary || "no data", options.className);
}

/** Horizontal bars with the label above each bar and the value at its end (long names fit at 375 px). */
export function barList(caption, bars, options = {}) {
  const width = 320;
  const row = 34;
  const height = Math.max(row * bars.length, row);
  const max = Math.max(...bars.map((bar) => bar.value), 0) || 1;
  const valueRoom = 56;
  const picture = svg(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, class: "op-svg" },
    bars.length === 0
      ? svg("text", { x: 0, y: 20, class: "op-label" }, options.empty ?? "No data yet")
      : null,
    bars.map((bar, index) => {
      const y = index * row;
      const barWidth = Math.max(bar.value > 0 ? 2 : 0, (bar.value / max) * (width - valueRoom));
      return svg(
        "g",
        { class: "op-row", "data-label": bar.label, "data-value": bar.value },
        svg("text", { x: 0, y: y + 12, class: "op-label op-label-start" }, bar.label),
        svg("rect", { x: 0, y: y + 16, width: barWidth, height: 12, rx: 3, class: "op-bar" }),
        svg(
          "text",
          { x: barWidth + 6, y: y + 26, class: "op-value op-value-start" },
          bar.display ?? String(bar.value),
        ),
      );
    }),
  );
  const summary = bars.map((bar) => `${bar.label}: ${bar.display ?? bar.value}`).join("; ");
  return figure(caption, picture, summary || (options.empty ?? "no data yet"), options.className);
}

/** One bar split into shares (e.g. rules vs NLP), with a legend that names each part and its percentage. */
export function shareBar(caption, parts, options = {}) {
  const width = 320;
  const total = parts.reduce((sum, part) => sum + Math.max(0, part.value), 0);
  let x = 0;
  const picture = svg(
    "svg",
    { viewBox: `0 0 ${width} 28`, class: "op-svg op-share" },
    svg("rect", { x: 0, y: 4, width, height: 20, rx: 5, class: "op-track" }),
    total > 0
      ? parts.map((part, index) => {
          const partWidth = (Math.max(0, part.value) / total) * width;
          const rect = svg("rect", {
            x,
            y: 4,
            width: partWidth,
            height: 20,
            class: `op-part op-part-${index}`,
          });
          x += partWidth;
          return rect;
        })
      : null,
  );
  const percent = (value) => (total > 0 ? `${Math.round((value / total) * 100)}%` : "–");
  const summary = parts.map((part) => `${part.label}: ${percent(part.value)} (${part.value})`).join("; ");
  const chart = figure(caption, picture, total > 0 ? summary : "no data yet", options.className);
  chart.append(
    h(
      "ul",
      { class: "op-legend", "aria-hidden": "true" },
      parts.map((part, index) =>
        h(
          "li",
          {},
          h("span", { class: `op-swatch op-part-${index}` }),
          `${part.label} ${percent(part.value)}`,
        ),
      ),
    ),
  );
  return chart;
}
