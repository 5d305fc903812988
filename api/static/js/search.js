// Search box and results list, built as an ARIA combobox: focus stays in the text box,
// ArrowUp/ArrowDown move through the results, Enter opens the active one, Escape closes.

import { search } from "./api.js";
import { KINDS, el, entityHash, kindName } from "./format.js";

const PAGE = 20;
const DELAY_MS = 200;

export function initSearch() {
  const form = document.getElementById("search-form");
  const input = document.getElementById("search-input");
  const kindSelect = document.getElementById("search-kind");
  const list = document.getElementById("search-results");
  const status = document.getElementById("search-status");

  for (const kind of Object.keys(KINDS).filter((k) => k !== "amount")) { // cells have no name
    kindSelect.append(el("option", { value: kind }, kindName(kind)));
  }

  let hits = [];
  let total = 0;
  let active = -1;
  let query = "";
  let serial = 0; // answers to older requests are dropped
  let timer = null;

  function setActive(index) {
    const options = list.querySelectorAll('[role="option"]');
    if (!options.length) {
      active = -1;
      input.removeAttribute("aria-activedescendant");
      return;
    }
    active = (index + options.length) % options.length;
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
    const current = options[active];
    input.setAttribute("aria-activedescendant", current.id);
    current.scrollIntoView({ block: "nearest" });
  }

  function open(hit) {
    input.setAttribute("aria-expanded", "false");
    window.location.hash = entityHash(hit.kind, hit.key);
  }

  function render() {
    list.replaceChildren();
    hits.forEach((hit, i) => {
      const style = KINDS[hit.kind] || { color: "#999" };
      const option = el(
        "li",
        {
          id: `search-option-${i}`,
          role: "option",
          "aria-selected": "false",
          class: "result",
          dataset: { kind: hit.kind, key: hit.key },
          onclick: () => open(hit),
        },
        el("span", { class: "swatch", style: `background:${style.color}`, "aria-hidden": "true" }),
        el("span", { class: "result-label" }, hit.label || hit.key),
        el("span", { class: "result-meta" }, [kindName(hit.kind), hit.code ? ` · ${hit.code}` : ""]),
      );
      option.addEventListener("mousemove", () => {
        if (active !== i) setActive(i);
      });
      list.append(option);
    });
    if (hits.length < total) {
      list.append(
        el(
          "li",
          { class: "more-results", role: "presentation" },
          el("button", { type: "button", onclick: () => run(query, hits.length) },
            `Show more (${total - hits.length} left)`),
        ),
      );
    }
    input.setAttribute("aria-expanded", String(hits.length > 0));
    active = -1;
    input.removeAttribute("aria-activedescendant");
  }

  async function run(q, offset = 0) {
    const mine = ++serial;
    query = q;
    if (!q.trim()) {
      hits = [];
      total = 0;
      render();
      status.textContent = "Search for a region, department, unit, project or subject.";
      return;
    }
    status.textContent = "Searching…";
    try {
      const answer = await search(q.trim(), { kind: kindSelect.value, limit: PAGE, offset });
      if (mine !== serial) return;
      hits = offset ? hits.concat(answer.hits) : answer.hits;
      total = answer.total ?? hits.length;
      render();
      status.textContent = total
        ? `${hits.length} of ${total} result${total === 1 ? "" : "s"} for “${q.trim()}”`
        : `No results for “${q.trim()}”`;
    } catch (error) {
      if (mine !== serial) return;
      hits = [];
      total = 0;
      render();
      status.textContent = `Search failed: ${error.message}`;
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value), DELAY_MS);
  });
  kindSelect.addEventListener("change", () => run(input.value));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run(input.value);
  });

  input.addEventListener("keydown", async (event) => {
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp": {
        event.preventDefault();
        if (timer && query !== input.value) {
          // typed faster than the delay: search now, then move
          clearTimeout(timer);
          await run(input.value);
        }
        if (!hits.length) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        setActive(active < 0 ? (step > 0 ? 0 : hits.length - 1) : active + step);
        break;
      }
      case "Home":
      case "End":
        if (active >= 0) {
          event.preventDefault();
          setActive(event.key === "Home" ? 0 : hits.length - 1);
        }
        break;
      case "Enter":
        if (active >= 0 && hits[active]) {
          event.preventDefault();
          open(hits[active]);
        }
        break;
      case "Escape":
        if (active >= 0) {
          event.preventDefault();
          list.querySelectorAll('[role="option"]').forEach((o) => o.setAttribute("aria-selected", "false"));
          input.removeAttribute("aria-activedescendant");
          active = -1;
        }
        break;
      default:
    }
  });
}
