// The graph view: one entity in the centre, its neighbours around it; clicking a node opens
// it and adds its own neighbours (CAP at a time; a "+N more" node adds the next ones).
// `window.cy` is the Cytoscape instance, and `window.graphIdle` is true once the view has
// settled, so that a test can read rendered node positions.

import { apiPaths, getJSON, entity as loadEntity } from "./api.js";
import { KINDS, el, entityHash, sortLinks } from "./format.js";
import * as panel from "./panel.js";

export const CAP = 25; // neighbours added per click
const MAX_LIMIT = 200; // links per relationship the API lists at most
const MAX_FIT_ZOOM = 1.4;
export const FONT = '"WenQuanYi Zen Hei", "Noto Sans CJK SC", sans-serif';

let cy = null;
let rootId = null;
const added = new Map(); // node id -> Set of its links drawn (rel|direction|other)
const neighbourCache = new Map(); // node id -> {limit, items, total}
let pending = 0;

const nodeId = (kind, key) => `${kind}/${key}`;
const status = (text) => {
  document.getElementById("graph-status").textContent = text;
};

function setBusy(delta) {
  pending = Math.max(0, pending + delta);
  window.graphIdle = pending === 0;
  document.getElementById("cy").setAttribute("aria-busy", String(pending > 0));
}

export function kindStyles() {
  return Object.entries(KINDS).map(([kind, s]) => ({
    selector: `node[kind = "${kind}"]`,
    style: { "background-color": s.color, shape: s.shape },
  }));
}

export function baseStyles() {
  return [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "font-family": FONT,
        "font-size": 11,
        color: "#1a202c",
        "text-valign": "bottom",
        "text-margin-y": 3,
        "text-wrap": "ellipsis",
        "text-max-width": "120px",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.75,
        "text-background-padding": "1px",
        "min-zoomed-font-size": 5,
        width: 26,
        height: 26,
        "background-color": "#a0aec0",
        "border-width": 1,
        "border-color": "#ffffff",
      },
    },
    ...kindStyles(),
    { selector: 'node[kind = "amount"]', style: { width: 18, height: 18, "font-size": 9 } },
    { selector: "node.expanded", style: { "border-width": 2, "border-color": "#1a202c" } },
    {
      selector: "node.root",
      style: { width: 40, height: 40, "border-width": 3, "border-color": "#1a202c", "font-size": 13, "font-weight": "bold" },
    },
    { selector: "node:selected", style: { "border-width": 4, "border-color": "#e53e3e" } },
    {
      selector: 'node[kind = "more"]',
      style: {
        shape: "round-rectangle",
        width: 64,
        height: 22,
        "background-color": "#ffffff",
        "border-width": 1.5,
        "border-style": "dashed",
        "border-color": "#4a5568",
        "text-valign": "center",
        "text-margin-y": 0,
        "text-background-opacity": 0,
        "font-size": 10,
      },
    },
    {
      selector: "edge",
      style: {
        width: 1.2,
        "curve-style": "bezier",
        "line-color": "#a0aec0",
        "target-arrow-color": "#a0aec0",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.8,
        label: "data(rel)",
        "font-family": FONT,
        "font-size": 8,
        color: "#4a5568",
        "text-rotation": "autorotate",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.75,
        "min-zoomed-font-size": 7,
      },
    },
    { selector: 'edge[kind = "more"]', style: { "line-style": "dashed", "target-arrow-shape": "none", label: "" } },
  ];
}

function ensureCy() {
  if (cy) return cy;
  cy = window.cytoscape({
    container: document.getElementById("cy"),
    style: baseStyles(),
    minZoom: 0.2,
    maxZoom: 3,
  });
  window.cy = cy;
  cy.on("tap", "node", (event) => onTap(event.target));
  document.getElementById("graph-fit").addEventListener("click", fitView);
  document.getElementById("graph-clear").addEventListener("click", () => {
    clear();
    window.location.hash = "#/";
  });
  return cy;
}

function onTap(node) {
  if (node.data("kind") === "more") {
    const owner = node.data("owner");
    showMore(owner);
    return;
  }
  const target = entityHash(node.data("kind"), node.data("key"));
  if (decodeURIComponent(window.location.hash) === decodeURIComponent(target)) {
    focus(node.data("kind"), node.data("key"));
  } else {
    window.location.hash = target;
  }
}

function runLayout(options) {
  return new Promise((resolve) => {
    const layout = cy.layout(options);
    layout.one("layoutstop", () => resolve());
    layout.run();
  });
}

function nodeData(kind, key, label, iri) {
  return { id: nodeId(kind, key), kind, key, label: label || key, iri };
}

const sum = (counts) => (counts || []).reduce((n, c) => n + (c.count || 0), 0);

/** Neighbours from GET /graph/{kind}/{key} (links per relationship up to `limit`). */
async function fromGraph(kind, key, limit) {
  const answer = await getJSON(`/graph/${encodeURIComponent(kind)}/${encodeURIComponent(key)}`, { limit });
  const byIri = new Map(answer.nodes.map((n) => [n.iri, n]));
  const items = [];
  for (const edge of answer.edges) {
    const out = edge.source === answer.center;
    const other = byIri.get(out ? edge.target : edge.source);
    if (!other) continue;
    items.push({ rel: edge.rel, direction: out ? "out" : "in", kind: other.kind, key: other.key,
      label: other.label, iri: other.iri });
  }
  return { limit, items: sortLinks(items), total: sum(answer.link_counts) || items.length };
}

/** Neighbours from the entity's own links (when the API has no /graph endpoint). */
async function fromEntity(kind, key) {
  const entity = await loadEntity(kind, key);
  const items = sortLinks(entity.links);
  return { limit: MAX_LIMIT, items, total: sum(entity.link_counts) || items.length };
}

/** At least `need` neighbours of a node when the API lists that many (fetched again if not). */
async function neighbours(kind, key, need) {
  const id = nodeId(kind, key);
  let entry = neighbourCache.get(id);
  const short = entry && entry.items.length < need && entry.items.length < entry.total;
  if (!entry || (short && entry.limit < MAX_LIMIT)) {
    const paths = await apiPaths();
    entry = paths.has("/graph/{kind}/{key}")
      ? await fromGraph(kind, key, entry ? MAX_LIMIT : CAP)
      : await fromEntity(kind, key);
    neighbourCache.set(id, entry);
  }
  return entry;
}

const linkId = (link) => `${link.rel}|${link.direction}|${nodeId(link.kind, link.key)}`;

/** How many more neighbours of `id` the API can still give. */
function leftOf(id) {
  const entry = neighbourCache.get(id);
  if (!entry) return 0;
  const reachable = entry.limit >= MAX_LIMIT ? entry.items.length : entry.total;
  return Math.max(0, reachable - (added.get(id)?.size || 0));
}

/** Draw the next CAP neighbours of node `id`; returns the nodes that were new. */
async function addLinks(id) {
  const node = cy.getElementById(id);
  const done = added.get(id) || new Set();
  added.set(id, done);
  const entry = await neighbours(node.data("kind"), node.data("key"), done.size + CAP);
  const batch = entry.items.filter((link) => !done.has(linkId(link))).slice(0, CAP);
  const centre = node.position();
  const fresh = [];
  batch.forEach((link, i) => {
    done.add(linkId(link));
    const other = nodeId(link.kind, link.key);
    if (other === id) return;
    if (cy.getElementById(other).empty()) {
      const angle = (2 * Math.PI * i) / Math.max(batch.length, 1);
      fresh.push(cy.add({
        group: "nodes",
        data: nodeData(link.kind, link.key, link.label, link.iri),
        position: { x: centre.x + 90 * Math.cos(angle), y: centre.y + 90 * Math.sin(angle) },
      }));
    }
    const [source, target] = link.direction === "in" ? [other, id] : [id, other];
    const edgeId = `${source}|${link.rel}|${target}`;
    if (cy.getElementById(edgeId).empty()) {
      cy.add({ group: "edges", data: { id: edgeId, source, target, rel: link.rel } });
    }
  });
  node.addClass("expanded");
  setMoreNode(id, leftOf(id));
  return fresh;
}

/** The "+N more" node next to `id`, or none when everything is shown. */
function setMoreNode(id, left) {
  const moreId = `more:${id}`;
  cy.remove(cy.getElementById(moreId));
  if (left <= 0) return;
  const at = cy.getElementById(id).position();
  cy.add({
    group: "nodes",
    data: { id: moreId, kind: "more", owner: id, label: `+${left} more` },
    position: { x: at.x + 40, y: at.y - 40 },
    selectable: false, // a click adds neighbours; the selection stays on the entity
  });
  cy.add({ group: "edges", data: { id: `${moreId}|edge`, source: id, target: moreId, kind: "more" } });
}

/** Fit the graph to the view, but never blow a handful of nodes up to giant size. */
function fitView() {
  cy.fit(undefined, 30);
  if (cy.zoom() > MAX_FIT_ZOOM) {
    cy.zoom(MAX_FIT_ZOOM);
    cy.center();
  }
}

async function layoutAll(first) {
  if (first) {
    // the entity in the middle, its neighbours on one ring in link order (kinds together),
    // the ring wide enough for the labels
    const root = cy.getElementById(rootId);
    const ring = cy.nodes().difference(root);
    const radius = Math.max(150, (ring.length * 72) / (2 * Math.PI));
    const positions = { [rootId]: { x: 0, y: 0 } };
    ring.forEach((node, i) => {
      const angle = -Math.PI / 2 + (2 * Math.PI * i) / ring.length;
      const r = node.data("kind") === "more" ? radius + 60 : radius;
      positions[node.id()] = { x: r * Math.cos(angle), y: r * Math.sin(angle) };
    });
    await runLayout({ name: "preset", positions: (node) => positions[node.id()], fit: false });
  } else {
    await runLayout({
      name: "cose",
      randomize: false,
      animate: false,
      fit: false,
      nodeRepulsion: () => 400000,
      idealEdgeLength: () => 110,
      nodeOverlap: 20,
      gravity: 0.3,
      numIter: 800,
    });
  }
  fitView();
}

function panelActions(kind, key, entity) {
  const actions = [];
  const id = nodeId(kind, key);
  const left = leftOf(id);
  if (left > 0) {
    actions.push(el("button", { type: "button", onclick: () => showMore(id) },
      `Show ${Math.min(left, CAP)} more neighbours in the graph (${left} left)`));
  }
  if (kind === "functional-subject") {
    actions.push(el("a", { href: `#/compare/${encodeURIComponent(key)}`, class: "button-link" },
      "Compare across regions"));
  }
  return actions;
}

/** Start again from one entity. */
function reset(kind, key, entity) {
  cy.elements().remove();
  added.clear();
  rootId = nodeId(kind, key);
  cy.add({ group: "nodes", data: nodeData(kind, key, entity.label, entity.iri), position: { x: 0, y: 0 } })
    .addClass("root");
}

/** Open an entity: centre of a new graph, or (when it is already drawn) expanded in place. */
export async function focus(kind, key) {
  ensureCy();
  cy.resize();
  const id = nodeId(kind, key);
  setBusy(+1);
  status(`Loading ${key}…`);
  try {
    const entity = await loadEntity(kind, key);
    const fresh = cy.getElementById(id).empty();
    if (fresh) reset(kind, key, entity);
    const node = cy.getElementById(id);
    const expand = !added.has(id);
    if (expand) await addLinks(id);
    if (fresh || expand) await layoutAll(fresh);
    cy.elements().unselect();
    node.select();
    panel.showEntity(entity, panelActions(kind, key, entity));
    status(`${entity.label || key}: ${sum(entity.link_counts) || (entity.links || []).length} links, ` +
      `${cy.nodes().length} nodes shown. Click a node to open it.`);
  } catch (error) {
    status(`Could not open ${kind} ${key}: ${error.message}`);
    panel.showMessage(`Could not open ${kind} ${key}: ${error.message}`);
  } finally {
    setBusy(-1);
  }
}

/** Add the next CAP neighbours of a node already in the graph. */
export async function showMore(id) {
  const node = cy.getElementById(id);
  if (node.empty()) return;
  setBusy(+1);
  try {
    const entity = await loadEntity(node.data("kind"), node.data("key"));
    await addLinks(id);
    await layoutAll(false);
    if (node.selected()) {
      panel.showEntity(entity, panelActions(node.data("kind"), node.data("key"), entity));
    }
    status(`${cy.nodes().length} nodes shown.`);
  } catch (error) {
    status(`Could not load more: ${error.message}`);
  } finally {
    setBusy(-1);
  }
}

export function clear() {
  if (!cy) return;
  cy.elements().remove();
  added.clear();
  rootId = null;
  panel.showMessage("Nothing selected.");
  status("Choose an entity from the search results; click a node to expand its neighbours.");
}

/** Called when the graph view becomes visible (a hidden container has no size). */
export function onShow() {
  ensureCy();
  cy.resize();
}

window.graphIdle = true;
