// The explorer's entry point: wires search, views, panel and deep links together.

import { initCompare, showCompare } from "./compare.js";
import { KINDS, el, kindName } from "./format.js";
import * as graph from "./graph.js";
import * as router from "./router.js";
import { initSearch } from "./search.js";
import { initTrace, showTrace } from "./trace.js";

const VIEWS = ["graph", "trace", "compare"];

/** A small SVG of a Cytoscape node shape, for the legend. */
function shapeIcon(shape, color) {
  const ns = "http://www.w3.org/2000/svg";
  const icon = document.createElementNS(ns, "svg");
  icon.setAttribute("viewBox", "0 0 20 20");
  icon.setAttribute("width", "18");
  icon.setAttribute("height", "18");
  icon.setAttribute("aria-hidden", "true");
  const polygons = {
    hexagon: "5,2 15,2 19,10 15,18 5,18 1,10",
    diamond: "10,1 19,10 10,19 1,10",
    pentagon: "10,1 19,8 15.5,19 4.5,19 1,8",
    triangle: "10,2 19,18 1,18",
    tag: "1,3 14,3 19,10 14,17 1,17",
    "round-octagon": "6,1 14,1 19,6 19,14 14,19 6,19 1,14 1,6",
  };
  let node;
  if (polygons[shape]) {
    node = document.createElementNS(ns, "polygon");
    node.setAttribute("points", polygons[shape]);
  } else if (shape === "ellipse") {
    node = document.createElementNS(ns, "circle");
    node.setAttribute("cx", "10");
    node.setAttribute("cy", "10");
    node.setAttribute("r", "8.5");
  } else {
    node = document.createElementNS(ns, "rect");
    for (const [k, v] of Object.entries({ x: 2, y: 3, width: 16, height: 14, rx: shape.startsWith("round") ? 4 : 0 })) {
      node.setAttribute(k, String(v));
    }
  }
  node.setAttribute("fill", color);
  icon.append(node);
  return icon;
}

function renderLegend() {
  const legend = document.getElementById("legend");
  for (const [kind, style] of Object.entries(KINDS)) {
    legend.append(el("li", { dataset: { kind } }, shapeIcon(style.shape, style.color), kindName(kind)));
  }
}

function showView(name) {
  for (const view of VIEWS) {
    document.getElementById(`view-${view}`).hidden = view !== name;
    const link = document.querySelector(`nav.views a[data-view="${view}"]`);
    if (view === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

/** Nav links return to the last thing each view showed. */
function remember(view, hash) {
  document.querySelector(`nav.views a[data-view="${view}"]`).setAttribute("href", hash);
}

async function route(r) {
  switch (r.view) {
    case "entity":
      showView("graph");
      graph.onShow();
      remember("graph", window.location.hash);
      await graph.focus(r.kind, r.key);
      break;
    case "trace":
      showView("trace");
      if (r.subject) {
        remember("trace", window.location.hash);
        await showTrace(r.subject, r.region, r.year);
      }
      break;
    case "compare":
      showView("compare");
      if (r.subject) {
        remember("compare", window.location.hash);
        await showCompare(r.subject);
      }
      break;
    case "home":
      showView("graph");
      graph.onShow();
      break;
    default: // not a route of the explorer: leave the view as it is
  }
}

/** The skip link moves focus without touching the hash (the hash is the router's). */
function initSkipLink() {
  document.querySelector(".skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    document.getElementById("main").focus();
  });
}

function main() {
  renderLegend();
  initSkipLink();
  initSearch();
  initCompare();
  initTrace();
  router.start(route);
}

main();
