// Deep links: the hash names the view and what it shows, so a view can be shared and the
// browser's back and forward buttons move between views.
//   #/entity/{kind}/{key}            an entity in the graph (key percent-encoded)
//   #/trace/{subject}/{region}/{year}
//   #/compare/{subject}

/** The route a hash names: {view, ...arguments}. */
export function parse(hash) {
  const path = (hash || "").replace(/^#\/?/, "");
  const parts = path.split("/").filter((p) => p !== "").map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const [head, ...rest] = parts;
  if (!head) return { view: "home" };
  if (head === "entity" && rest.length >= 2) {
    return { view: "entity", kind: rest[0], key: rest.slice(1).join("/") };
  }
  if (head === "trace") {
    return rest.length >= 3
      ? { view: "trace", subject: rest[0], region: rest[1], year: rest[2] }
      : { view: "trace" };
  }
  if (head === "compare") {
    return rest.length >= 1 ? { view: "compare", subject: rest[0] } : { view: "compare" };
  }
  return { view: "unknown", path };
}

/** Call `handler(route)` now and on every change of the hash (links, back, forward). */
export function start(handler) {
  const run = () => handler(parse(window.location.hash));
  window.addEventListener("hashchange", run);
  run();
}
