// Display helpers shared by every view: money in 万元 and 元, kinds, entity routes.
// Money arrives in 元 (the graph stores yuan); documents print 万元, so both are shown.

const wanFormat = new Intl.NumberFormat("zh-CN", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const yuanFormat = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 2 });

/** A number from a JSON value that may be a number or a decimal string; null when absent. */
export function toNumber(value) {
  if (value === null || value === undefined || value === "") return null;
  const n = typeof value === "number" ? value : Number(String(value).replace(/,/g, ""));
  return Number.isFinite(n) ? n : null;
}

/** "683.70 万元" for 6837000 元. */
export function wan(yuan) {
  const n = toNumber(yuan);
  return n === null ? "" : `${wanFormat.format(n / 10000)} 万元`;
}

/** "6,837,000 元" (cents only when there are any). */
export function yuanText(yuan) {
  const n = toNumber(yuan);
  return n === null ? "" : `${yuanFormat.format(n)} 元`;
}

/** "683.70 万元（6,837,000 元）": the document's unit first, the stored value after. */
export function money(yuan) {
  const n = toNumber(yuan);
  return n === null ? "" : `${wan(n)}（${yuanText(n)}）`;
}

/** Property names that hold money in 元. */
export function isMoneyKey(name) {
  return name === "yuan" || name.endsWith("_yuan");
}

export const KINDS = {
  region: { label: "Region", zh: "地区", color: "#2b6cb0", shape: "hexagon" },
  department: { label: "Department", zh: "部门", color: "#2f855a", shape: "round-rectangle" },
  unit: { label: "Unit", zh: "单位", color: "#38a169", shape: "rectangle" },
  document: { label: "Document", zh: "文件", color: "#4a5568", shape: "tag" },
  "functional-subject": { label: "Functional subject", zh: "功能科目", color: "#dd6b20", shape: "diamond" },
  "economic-subject": { label: "Economic subject", zh: "经济科目", color: "#975a16", shape: "pentagon" },
  project: { label: "Project", zh: "项目", color: "#6b46c1", shape: "ellipse" },
  indicator: { label: "Indicator", zh: "绩效指标", color: "#c53077", shape: "triangle" },
  amount: { label: "Amount", zh: "金额", color: "#b7791f", shape: "round-octagon" },
};

/** Human name of a kind, e.g. "Department 部门". */
export function kindName(kind) {
  const k = KINDS[kind];
  return k ? `${k.label} ${k.zh}` : kind;
}

/** The explorer's own route for an entity. */
export function entityHash(kind, key) {
  return `#/entity/${encodeURIComponent(kind)}/${encodeURIComponent(key)}`;
}

/** kind and key from an entity IRI ({base}/id/{kind}/{key}), or null. */
export function parseIri(iri) {
  if (!iri) return null;
  let path;
  try {
    path = new URL(iri).pathname;
  } catch {
    return null;
  }
  const m = path.match(/\/id\/([^/]+)\/(.+)$/);
  return m ? { kind: decodeURIComponent(m[1]), key: decodeURIComponent(m[2]) } : null;
}

/** A text node-safe string: everything shown comes from data, so it is never parsed as HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const KIND_ORDER = Object.keys(KINDS);

/** Links in the order they are worth showing: structure first, the many amount cells last. */
export function sortLinks(links) {
  const rank = (kind) => {
    const i = KIND_ORDER.indexOf(kind);
    return i < 0 ? KIND_ORDER.length : i;
  };
  return [...(links || [])].sort(
    (a, b) =>
      rank(a.kind) - rank(b.kind) ||
      String(a.rel).localeCompare(String(b.rel)) ||
      String(a.label || a.key).localeCompare(String(b.label || b.key), "zh-CN"),
  );
}
