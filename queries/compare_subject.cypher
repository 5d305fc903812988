// name: compare_subject
// description: One functional subject (e.g. 2010301 行政运行) across regions and years: for
//   every document that prints it, the department's figure for that subject in that
//   document's measure (budget, or actual in a final account).
// param: subject string 2010301 — functional subject code (类, 款 or 项)
// param: measure string "" — budget, adjusted_budget or actual; empty for every measure
// param: year int 0 — fiscal year; 0 for every year
// example: subject=2010301
// money: yuan
// counting: one cell per document, never a sum.  The cell is the department's row for the
//   subject in the general-budget expenditure table (一般公共预算支出表: table_kind
//   general_budget_expenditure, category total, the 合计 column — no item), so the subject's
//   own level is used and no unit rows, 合计 rows or other tables are added to it.  Where a
//   document's table does not give the subject (a final account published as narrative
//   only), the figure its narrative states for the subject is used instead (table_kind
//   narrative_final, fund general_public); `source` says which.
MATCH (s:FunctionalSubject {code: $subject})
MATCH (a:Amount)-[:CLASSIFIED_AS]->(s)
MATCH (a)-[:REPORTED_IN]->(doc:Document)
MATCH (doc)-[:PUBLISHED_BY]->(dep:Department)
MATCH (a)-[:OF]->(dep)
WHERE $year = 0 OR doc.fiscal_year = $year
// The amounts are collected and unwound before their own properties are tested, so that the
// test runs on the amounts of the subject, not on a scan of every stored amount.
WITH s, doc, dep, collect(a) AS found
UNWIND found AS a
WITH s, doc, dep, a
WHERE a.category = 'total'
  AND ($measure = '' OR a.measure = $measure)
  AND ((a.table_kind = 'general_budget_expenditure' AND a.item IS NULL)
       OR (a.table_kind = 'narrative_final' AND a.fund = 'general_public'))
// Amounts already unwound from a list cannot be collected again, so their two values are.
WITH s, doc, dep, a.measure AS measure,
     collect({yuan: a.yuan, source: a.table_kind}) AS cells,
     min(CASE a.table_kind WHEN 'general_budget_expenditure' THEN 1 ELSE 2 END) AS best
UNWIND cells AS cell
WITH s, doc, dep, measure, cell, best
WHERE CASE cell.source WHEN 'general_budget_expenditure' THEN 1 ELSE 2 END = best
MATCH (dep)-[:LOCATED_IN]->(r:Region)
RETURN r.code AS region, r.name AS region_name, dep.name AS department,
       doc.fiscal_year AS year, doc.kind AS kind, measure,
       s.code AS code, s.name AS name, cell.yuan AS yuan, cell.source AS source
ORDER BY region, year, kind, measure
