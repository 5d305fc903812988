// The comparison view: one functional subject across regions and years as a bar chart drawn
// in plain SVG, with the numbers on the bars and in a table under them.

import { getJSON } from "./api.js";
import { el, wan, toNumber, yuanText } from "./format.js";

const SVG = "http://www.w3.org/2000/svg";
const MEASURES = { budget: "预算", adjusted_budget: "调整预算", actual: "决算" };
const COLOURS = { budget: "#2b6cb0", adjusted_budget: "#dd6b20", actual: "#2f855a" };

let serial = 0;

const status = (text) => {
  document.getElementById("compare-status").textContent = text;
};

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Rows of the named query compare_subject (one per document that prints the subject). */
async function loadRows(subject) {
  const answer = await getJSON("/queries/compare_subject", { subject });
  return (answer.rows || []).map((row) => ({
    region: String(row.region ?? ""),
    regionName: row.region_name ?? row.region ?? "",
    department: row.department ?? "",
    year: row.year ?? "",
    measure: row.measure ?? "",
    code: row.code ?? subject,
    name: row.name ?? "",
    yuan: toNumber(row.yuan),
    source: row.source ?? "",
  })).filter((row) => row.yuan !== null);
}

function barLabel(row) {
  return `${row.regionName} ${row.year} ${MEASURES[row.measure] || row.measure}`;
}

function chart(rows) {
  const rowHeight = 34;
  const left = 210;
  const barArea = 420;
  const width = left + barArea + 150;
  const top = 10;
  const height = top + rows.length * rowHeight + 30;
  const max = Math.max(...rows.map((r) => r.yuan), 1);
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-labelledby": "compare-caption", class: "bars" });
  rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, (row.yuan / max) * barArea);
    const g = svg("g", { class: "bar", "data-region": row.region, "data-region-name": row.regionName,
      "data-year": row.year, "data-measure": row.measure, "data-yuan": row.yuan });
    g.append(svg("title", {}, `${barLabel(row)}: ${wan(row.yuan)}（${yuanText(row.yuan)}）`));
    g.append(svg("text", { x: left - 8, y: y + rowHeight / 2, "text-anchor": "end",
      "dominant-baseline": "middle", class: "label" }, barLabel(row)));
    g.append(svg("rect", { x: left, y: y + 5, width: w.toFixed(1), height: rowHeight - 10,
      fill: COLOURS[row.measure] || "#718096", rx: 2 }));
    g.append(svg("text", { x: left + w + 6, y: y + rowHeight / 2, "dominant-baseline": "middle",
      class: "value" }, wan(row.yuan)));
    root.append(g);
  });
  const axisY = top + rows.length * rowHeight + 4;
  root.append(svg("line", { x1: left, x2: left, y1: top, y2: axisY, class: "axis" }));
  root.append(svg("line", { x1: left, x2: left + barArea, y1: axisY, y2: axisY, class: "axis" }));
  root.append(svg("text", { x: left, y: axisY + 16, "text-anchor": "middle", class: "tick" }, "0"));
  root.append(svg("text", { x: left + barArea, y: axisY + 16, "text-anchor": "middle", class: "tick" },
    wan(max)));
  return root;
}

function table(rows) {
  return el("table", { class: "data compare" },
    el("caption", {}, "Figures behind the bars"),
    el("thead", {}, el("tr", {},
      ["Region", "Code", "Department", "Year", "Measure", "万元", "元", "Source"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((row) => el("tr", { dataset: { region: row.region, year: String(row.year) } },
      el("td", {}, row.regionName), el("td", {}, row.region), el("td", {}, row.department),
      el("td", {}, row.year), el("td", {}, MEASURES[row.measure] || row.measure),
      el("td", { class: "num" }, wan(row.yuan)), el("td", { class: "num" }, yuanText(row.yuan)),
      el("td", {}, row.source)))));
}

function legend(rows) {
  const measures = [...new Set(rows.map((r) => r.measure))];
  return el("ul", { class: "chart-legend" }, measures.map((m) => el("li", {},
    el("span", { class: "swatch", style: `background:${COLOURS[m] || "#718096"}`, "aria-hidden": "true" }),
    `${MEASURES[m] || m} (${m})`)));
}

/** Show the comparison of one subject (the route #/compare/{subject}). */
export async function showCompare(subject) {
  document.getElementById("compare-subject").value = subject;
  const mine = ++serial;
  window.compareIdle = false;
  const box = document.getElementById("compare-chart");
  const caption = document.getElementById("compare-caption");
  status(`Comparing ${subject}…`);
  try {
    const rows = await loadRows(subject);
    if (mine !== serial) return;
    const name = rows.find((r) => r.name)?.name || "";
    caption.textContent = rows.length
      ? `${subject} ${name}: the department's figure in each region and year (万元)`
      : "";
    box.replaceChildren(...(rows.length ? [legend(rows), chart(rows)] : []));
    document.getElementById("compare-table").replaceChildren(...(rows.length ? [table(rows)] : []));
    status(rows.length ? `${subject} ${name}: ${rows.length} figures in ` +
      `${new Set(rows.map((r) => r.region)).size} regions.` : `No figures for ${subject}.`);
  } catch (error) {
    if (mine !== serial) return;
    box.replaceChildren();
    caption.textContent = "";
    document.getElementById("compare-table").replaceChildren();
    status(`Comparison failed: ${error.message}`);
  } finally {
    if (mine === serial) window.compareIdle = true;
  }
}

export function initCompare() {
  const form = document.getElementById("compare-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const subject = document.getElementById("compare-subject").value.trim();
    window.location.hash = `#/compare/${encodeURIComponent(subject)}`;
  });
}
