// The details panel: one entity's properties (money in 万元 and 元), where it came from
// (document, table, page, row), its linked-data IRI and the entities it links to.

import {
  KINDS,
  el,
  entityHash,
  isMoneyKey,
  kindName,
  money,
  parseIri,
  sortLinks,
  toNumber,
  wan,
  yuanText,
} from "./format.js";

const LINK_PAGE = 25;

const body = () => document.getElementById("panel-body");

export function showMessage(text) {
  body().replaceChildren(el("p", { class: "status" }, text));
}

function propertyValue(name, value) {
  if (value === null || value === undefined) return "";
  if (isMoneyKey(name) && toNumber(value) !== null) return money(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function propertiesTable(properties) {
  const rows = Object.entries(properties || {}).filter(([, v]) => v !== null && v !== "");
  if (!rows.length) return null;
  return el(
    "table",
    { class: "props" },
    el("caption", { class: "visually-hidden" }, "Properties"),
    el("tbody", {}, rows.map(([name, value]) =>
      el("tr", { dataset: { prop: name } }, el("th", { scope: "row" }, name),
        el("td", {}, propertyValue(name, value))))),
  );
}

function provenanceBlock(provenance) {
  if (!provenance) return el("p", { class: "status" }, "No provenance recorded for this entity.");
  const doc = provenance.document || {};
  const target = parseIri(doc.iri);
  const docLink = target
    ? el("a", { href: entityHash(target.kind, target.key) }, doc.label || target.key)
    : doc.label || "";
  const items = [
    ["Document", docLink],
    ["Table", provenance.table],
    ["Page", provenance.page],
    ["Row", provenance.row],
  ].filter(([, v]) => v !== null && v !== undefined && v !== "");
  return el("dl", { class: "provenance" },
    items.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}

function linksBlock(links, counts) {
  const sorted = sortLinks(links);
  const total = (counts || []).reduce((n, c) => n + (c.count || 0), 0);
  const list = el("ul", { class: "links" });
  const more = el("button", { type: "button", class: "show-more" });
  let shown = 0;
  function showNext() {
    for (const link of sorted.slice(shown, shown + LINK_PAGE)) {
      const arrow = link.direction === "in" ? "←" : "→";
      const style = KINDS[link.kind] || { color: "#999" };
      list.append(el("li", {},
        el("span", { class: "swatch", style: `background:${style.color}`, "aria-hidden": "true" }),
        el("span", { class: "rel", title: link.direction === "in" ? "incoming" : "outgoing" },
          `${arrow} ${link.rel} `),
        el("a", { href: entityHash(link.kind, link.key) }, link.label || link.key)));
    }
    shown = Math.min(sorted.length, shown + LINK_PAGE);
    more.textContent = `Show more links (${sorted.length - shown} left)`;
    more.hidden = shown >= sorted.length;
  }
  more.addEventListener("click", showNext);
  showNext();
  const unlisted = total > sorted.length
    ? el("p", { class: "status" }, `${total - sorted.length} further links are not listed here ` +
      "(the API lists a limited number per relationship).")
    : null;
  return [el("h4", {}, `Links (${Math.max(total, sorted.length)})`), list, more, unlisted];
}

/**
 * Show one entity (the JSON of /id/{kind}/{key}); `actions` are extra buttons or links
 * the current view offers for it (expand in the graph, compare across regions …).
 */
export function showEntity(entity, actions = []) {
  const style = KINDS[entity.kind] || { color: "#999" };
  const yuan = entity.properties ? entity.properties.yuan : undefined;
  const parts = [
    el("h3", { id: "panel-title", class: "panel-title" }, entity.label || entity.key),
    el("p", { class: "kind-badge" },
      el("span", { class: "swatch", style: `background:${style.color}`, "aria-hidden": "true" }),
      kindName(entity.kind)),
  ];
  if (toNumber(yuan) !== null) {
    parts.push(el("p", { class: "money", dataset: { yuan: String(yuan) } },
      el("strong", {}, wan(yuan)), " ", el("span", {}, yuanText(yuan))));
  }
  parts.push(
    el("dl", { class: "ids" },
      el("dt", {}, "Key"), el("dd", {}, entity.key),
      el("dt", {}, "IRI"), el("dd", {}, el("a", { href: entity.iri, class: "iri" }, entity.iri))),
  );
  if (actions.length) parts.push(el("p", { class: "actions" }, actions));
  const props = propertiesTable(entity.properties);
  if (props) parts.push(el("h4", {}, "Properties"), props);
  parts.push(el("h4", {}, "Provenance"), provenanceBlock(entity.provenance));
  parts.push(...linksBlock(entity.links, entity.link_counts));
  body().replaceChildren(...parts.filter(Boolean));
}

/** Move keyboard focus to the panel (after an entity was opened from the keyboard). */
export function focusPanel() {
  document.getElementById("panel").focus({ preventScroll: true });
}
