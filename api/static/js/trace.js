// The trace view: from a functional class (e.g. 201 一般公共服务支出) in one region and year
// down through its 款 and 项 subjects to the budget units, the projects and the projects'
// performance indicators.  The tree shows the money; the table beside it shows each
// indicator's target next to its actual value.

import { apiPaths, getJSON, entity as loadEntity, trace as loadTrace } from "./api.js";
import { el, entityHash, money, parseIri, wan, yuanText } from "./format.js";
import { FONT, baseStyles } from "./graph.js";
import * as panel from "./panel.js";

const MEASURES = { budget: "预算 budget", adjusted_budget: "调整预算 adjusted", actual: "决算 actual" };
const OPERATORS = { ">=": "≥", "<=": "≤", "=": "", ">": ">", "<": "<" };

const LEVEL_WIDTH = 180;
const ROW_HEIGHT = 38;

let cy = null;
let serial = 0;

const status = (text) => {
  document.getElementById("trace-status").textContent = text;
};

function ensureCy() {
  if (cy) return cy;
  cy = window.cytoscape({
    container: document.getElementById("trace-cy"),
    style: [
      ...baseStyles(),
      {
        selector: "node",
        style: {
          "text-wrap": "wrap",
          "text-max-width": "140px",
          "text-halign": "right",
          "text-valign": "center",
          "text-margin-x": 4,
          "text-margin-y": 0,
          "text-justification": "left",
          "font-family": FONT,
          "font-size": 11,
          width: 18,
          height: 18,
        },
      },
      { selector: "node.top", style: { width: 26, height: 26, "font-size": 12, "font-weight": "bold" } },
      {
        selector: "edge",
        style: { label: "", "curve-style": "taxi", "taxi-direction": "rightward", "target-arrow-shape": "triangle" },
      },
    ],
    minZoom: 0.15,
    maxZoom: 3,
  });
  window.traceCy = cy;
  cy.on("tap", "node", async (event) => {
    const target = parseIri(event.target.data("iri"));
    if (!target) return;
    try {
      const entity = await loadEntity(target.kind, target.key);
      panel.showEntity(entity, [
        el("a", { href: entityHash(target.kind, target.key), class: "button-link" }, "Open in the graph"),
      ]);
    } catch (error) {
      panel.showMessage(`Could not open ${target.key}: ${error.message}`);
    }
  });
  return cy;
}

function indicatorTarget(ind) {
  if (ind.operator && ind.operator !== "qualitative" && ind.target_value !== null && ind.target_value !== undefined) {
    return `${OPERATORS[ind.operator] ?? ind.operator}${ind.target_value}${ind.unit || ""}`;
  }
  return ind.target_text || "";
}

function indicatorActual(ind) {
  if (ind.actual_value !== null && ind.actual_value !== undefined) return `${ind.actual_value}${ind.unit || ""}`;
  return ind.actual_text || "—";
}

function regionLabel(region) {
  return `${region.name} ${region.year} ${MEASURES[region.measure] || region.measure || ""}\n${wan(region.yuan)}`;
}

/**
 * A tidy left-to-right tree: leaves one row each, a parent level with the middle of its
 * children.  Cytoscape's breadthfirst spreads levels evenly instead, which leaves long
 * Chinese labels no room.
 */
function tidyPositions(rootId, edges) {
  const children = new Map();
  for (const { data } of edges) {
    if (!children.has(data.source)) children.set(data.source, []);
    children.get(data.source).push(data.target);
  }
  const positions = {};
  let row = 0;
  function place(id, depth) {
    const kids = children.get(id) || [];
    kids.forEach((kid) => place(kid, depth + 1));
    const y = kids.length
      ? (positions[kids[0]].y + positions[kids[kids.length - 1]].y) / 2
      : row++ * ROW_HEIGHT;
    positions[id] = { x: depth * LEVEL_WIDTH, y };
  }
  place(rootId, 0);
  return positions;
}

/** Walk the trace answer once, giving tree elements and the rows of the tables. */
function collect(answer) {
  const nodes = [];
  const edges = [];
  const subjects = [];
  const projects = [];
  const unplaced = [];
  const subject = answer.subject || {};
  const rootId = `s:${subject.code}`;
  nodes.push({ data: { id: rootId, kind: "functional-subject", iri: subject.iri,
    label: `${subject.code} ${subject.name || ""}` }, classes: "top" });

  const edge = (source, target, yuan) =>
    edges.push({ data: { id: `${source}>${target}`, source, target, money: wan(yuan) } });

  /** Units, projects and narrower subjects of `node`, hung under the tree node `id`. */
  function attach(node, id, region) {
    subjects.push({ region, ...node });
    (node.units || []).forEach((unit, i) => {
      const unitId = `${id}/u${i}`;
      nodes.push({ data: { id: unitId, kind: "unit", iri: unit.iri, label: `${unit.name}\n${wan(unit.yuan)}` } });
      edge(id, unitId, unit.yuan);
    });
    (node.projects || []).forEach((project, i) => {
      const projectId = `${id}/p${i}`;
      nodes.push({ data: { id: projectId, kind: "project", iri: project.iri, name: project.name,
        label: `${project.name}\n${wan(project.yuan)}` } });
      edge(id, projectId, project.yuan);
      projects.push({ region, subject: node, ...project });
    });
    (node.children || []).forEach((child) => {
      const childId = `${id}/${child.code}`;
      nodes.push({ data: { id: childId, kind: "functional-subject", iri: child.iri,
        label: `${child.code} ${child.name || ""}\n${wan(child.yuan)}` } });
      edge(id, childId, child.yuan);
      attach(child, childId, region);
    });
  }

  /** A region's answer starts at the traced subject itself: that node is the region's top. */
  function hang(region, id) {
    for (const top of region.children || []) {
      if (top.code === subject.code) attach(top, id, region);
      else {
        const childId = `${id}/${top.code}`;
        nodes.push({ data: { id: childId, kind: "functional-subject", iri: top.iri,
          label: `${top.code} ${top.name || ""}\n${wan(top.yuan)}` } });
        edge(id, childId, top.yuan);
        attach(top, childId, region);
      }
    }
    for (const project of region.unplaced_projects || []) unplaced.push({ region, ...project });
  }

  const regions = answer.regions || [];
  if (regions.length === 1) {
    // one region and year: the class and the region share the root, one level fewer
    nodes[0].data.label += `\n${regionLabel(regions[0])}`;
    hang(regions[0], rootId);
  } else {
    regions.forEach((region, ri) => {
      const regionId = `r${ri}`;
      nodes.push({ data: { id: regionId, kind: "region", iri: region.department?.iri,
        label: regionLabel(region) } });
      edge(rootId, regionId, region.yuan);
      hang(region, regionId);
    });
  }
  return { nodes, edges, subjects, projects, unplaced, rootId };
}

function moneyCells(yuan) {
  return [el("td", { class: "num" }, wan(yuan)), el("td", { class: "num" }, yuanText(yuan))];
}

function subjectsTable(subjects) {
  return el("table", { class: "data" },
    el("caption", {}, "Money by subject, unit and year"),
    el("thead", {}, el("tr", {},
      ["Region", "Year", "Code", "Subject", "Level", "Unit", "万元", "元", "Basis"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, subjects.flatMap((s) => {
      const rows = [el("tr", { class: "subject-row" },
        el("td", {}, s.region.name), el("td", {}, s.region.year), el("td", {}, s.code),
        el("td", {}, s.name), el("td", {}, s.level ?? ""), el("td", {}, "—"), ...moneyCells(s.yuan),
        el("td", {}, s.basis || ""))];
      for (const unit of s.units || []) {
        rows.push(el("tr", {}, el("td", {}, ""), el("td", {}, ""), el("td", {}, s.code), el("td", {}, ""),
          el("td", {}, ""), el("td", {}, unit.name), ...moneyCells(unit.yuan), el("td", {}, "")));
      }
      return rows;
    })));
}

function projectSection(project) {
  const target = parseIri(project.iri);
  const title = target ? el("a", { href: entityHash(target.kind, target.key) }, project.name) : project.name;
  const indicators = project.indicators || [];
  return el("section", { class: "trace-project", dataset: { name: project.name } },
    el("h4", {}, title, " ", el("span", { class: "project-money" }, money(project.yuan))),
    el("p", { class: "meta" }, [`${project.subject.code} ${project.subject.name || ""}`,
      ` · ${project.region.name || project.region.code} ${project.region.year ?? ""}`,
      project.code ? ` · ${project.code}` : "",
      ` · ${indicators.length} indicators`]),
    indicators.length
      ? el("table", { class: "data indicators" },
        el("caption", { class: "visually-hidden" }, `Indicators of ${project.name}`),
        el("thead", {}, el("tr", {},
          ["一级指标", "二级指标", "三级指标", "目标 target", "实际 actual", "权重 weight"]
            .map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, indicators.map((ind) => el("tr", {},
          el("td", {}, ind.level1 || ""), el("td", {}, ind.level2 || ""), el("td", {}, ind.name || ""),
          el("td", { class: "target" }, indicatorTarget(ind)),
          el("td", { class: "actual" }, indicatorActual(ind)),
          el("td", { class: "num" }, ind.weight ?? "")))))
      : el("p", { class: "status" }, "No indicators printed for this project."),
  );
}

function sourcesList(regions) {
  return el("ul", { class: "trace-sources" }, regions.map((region) => {
    const doc = parseIri(region.document?.iri);
    return el("li", {},
      `${region.name || region.code} ${region.year ?? ""} ${MEASURES[region.measure] || region.measure}: `,
      el("strong", {}, money(region.yuan)), " — ",
      doc ? el("a", { href: entityHash(doc.kind, doc.key) }, region.document.label) : "",
      region.table_kind ? ` (table ${region.table_kind}${region.fund ? `, fund ${region.fund}` : ""})` : "");
  }));
}

function renderTable(collected, answer) {
  const box = document.getElementById("trace-table");
  const { subjects, projects, unplaced } = collected;
  const parts = [
    el("h3", {}, "Sources"),
    sourcesList(answer.regions || []),
    el("h3", {}, `Projects and their indicators (${projects.length})`),
    ...(projects.length ? projects.map(projectSection) : [el("p", { class: "status" }, "No projects under this subject.")]),
    el("h3", {}, "Subjects"),
    subjectsTable(subjects),
  ];
  if (unplaced.length) {
    parts.push(el("details", { class: "unplaced" },
      el("summary", {}, `Projects of the same documents without a functional subject (${unplaced.length})`),
      el("ul", {}, unplaced.map((p) => {
        const target = parseIri(p.iri);
        return el("li", {}, target ? el("a", { href: entityHash(target.kind, target.key) }, p.name) : p.name,
          ` ${money(p.yuan)}`);
      }))));
  }
  box.replaceChildren(...parts);
}

async function renderTree(collected) {
  ensureCy();
  cy.resize();
  cy.elements().remove();
  cy.add([...collected.nodes.map((n) => ({ group: "nodes", ...n })), ...collected.edges.map((e) => ({ group: "edges", ...e }))]);
  const positions = tidyPositions(collected.rootId, collected.edges);
  await new Promise((resolve) => {
    const layout = cy.layout({ name: "preset", positions: (node) => positions[node.id()], fit: false });
    layout.one("layoutstop", resolve);
    layout.run();
  });
  cy.fit(undefined, 16);
  if (cy.zoom() > 1.5) {
    cy.zoom(1.5);
    cy.center();
  }
}

function fillForm(subject, region, year) {
  document.getElementById("trace-subject").value = subject;
  const select = document.getElementById("trace-region");
  if (region && ![...select.options].some((o) => o.value === region)) {
    select.append(el("option", { value: region }, region));
  }
  if (region) select.value = region;
  document.getElementById("trace-year").value = year;
}

/** Show the trace of one subject, region and year (the route #/trace/{subject}/{region}/{year}). */
export async function showTrace(subject, region, year) {
  fillForm(subject, region, year);
  const mine = ++serial;
  window.traceIdle = false;
  status(`Tracing ${subject} in ${region}, ${year}…`);
  try {
    const answer = await loadTrace(subject, region, year);
    if (mine !== serial) return;
    const collected = collect(answer);
    renderTable(collected, answer);
    await renderTree(collected);
    const regions = (answer.regions || []).map((r) => `${r.name} ${r.year}`).join(", ") || "no region";
    status(`${answer.subject ? `${answer.subject.code} ${answer.subject.name}` : subject} in ${regions}: ` +
      `${collected.subjects.length} subjects, ${collected.projects.length} projects.`);
  } catch (error) {
    if (mine !== serial) return;
    if (cy) cy.elements().remove();
    document.getElementById("trace-table").replaceChildren();
    status(`Trace failed: ${error.message}`);
  } finally {
    if (mine === serial) window.traceIdle = true;
  }
}

/** Fill the region, year and subject choices once (the members the data has). */
export async function initTrace() {
  const form = document.getElementById("trace-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    window.location.hash = `#/trace/${encodeURIComponent(data.get("subject").trim())}/` +
      `${encodeURIComponent(data.get("region"))}/${encodeURIComponent(data.get("year"))}`;
  });
  const paths = await apiPaths();
  if (!paths.has("/aggregate/members/{dimension}")) return; // typed codes still work
  const members = (dimension) => getJSON(`/aggregate/members/${dimension}`).then((m) => m.members || []);
  try {
    const [regions, years, subjects] = await Promise.all(
      [members("region"), members("year"), members("subject")]);
    const select = document.getElementById("trace-region");
    const chosen = select.value;
    for (const region of regions) {
      const option = [...select.options].find((o) => o.value === region.key)
        || select.appendChild(el("option", { value: region.key }));
      option.textContent = `${region.label} (${region.key})`;
    }
    if (chosen) select.value = chosen;
    const yearList = el("datalist", { id: "trace-years" }, years.map((y) => el("option", { value: y.key })));
    form.append(yearList);
    document.getElementById("trace-year").setAttribute("list", "trace-years");
    const subjectList = document.getElementById("trace-subjects");
    for (const subject of subjects.filter((m) => String(m.key).length === 3)) {
      subjectList.append(el("option", { value: subject.key }, subject.label));
    }
  } catch {
    /* typed codes still work */
  }
}
