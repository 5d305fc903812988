// The explorer's only way to the server: JSON requests to the same origin.
// Nothing is fetched from anywhere else, so the explorer works offline.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** GET a JSON document from this server; params with empty values are left out. */
export async function getJSON(path, params = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") url.searchParams.set(name, value);
  }
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      const body = await response.json();
      detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail ?? body);
    } catch {
      /* not JSON: keep the status text */
    }
    throw new ApiError(response.status, `${response.status} ${detail}`);
  }
  return response.json();
}

let pathsPromise = null;

/** The API's paths as its OpenAPI document lists them (empty set when it has none). */
export function apiPaths() {
  if (!pathsPromise) {
    pathsPromise = getJSON("/openapi.json")
      .then((doc) => new Set(Object.keys(doc.paths || {})))
      .catch(() => new Set());
  }
  return pathsPromise;
}

export function search(q, { kind = "", limit = 20, offset = 0 } = {}) {
  return getJSON("/search", { q, kind, limit, offset });
}

const entities = new Map();

/** One entity with its properties, links and provenance (cached: the graph is read-only). */
export function entity(kind, key) {
  const id = `${kind}/${key}`;
  if (!entities.has(id)) {
    const path = `/id/${encodeURIComponent(kind)}/${encodeURIComponent(key)}`;
    const p = getJSON(path);
    p.catch(() => entities.delete(id));
    entities.set(id, p);
  }
  return entities.get(id);
}

export function trace(subject, region, year) {
  return getJSON("/trace", { subject, region, year });
}
