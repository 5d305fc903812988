// name: department_overview
// description: What each published document says about its department: where it is, the
//   year and kind of the document, how many budget units it gives figures for, how many
//   projects and performance indicators it lists, and its total, basic (基本支出) and
//   project (项目支出) expenditure.
// param: region string "" — GB/T 2260 code (the region or any region inside it); empty for all
// param: year int 0 — fiscal year; 0 for every year
// example: region=510781
// money: total, basic, project
// counting: the three sums add the 项-level rows (level 3 of the functional subjects) of the
//   expenditure summary (部门支出总表: table_kind expenditure, no item), in the document's
//   own measure (budget in a budget, actual in a final account) — one level, one
//   table, so no 合计, 类 or 款 row is added to the rows it sums — and of those rows take the
//   budget units' rows when the table gives any, otherwise the department's own rows, never
//   a department together with its units.  Empty when the document prints no such table.
//   Counts are of distinct nodes.
MATCH (doc:Document)-[:PUBLISHED_BY]->(dep:Department)-[:LOCATED_IN]->(r:Region)
WHERE ($year = 0 OR doc.fiscal_year = $year)
  AND ($region = '' OR r.code = $region
       OR EXISTS { MATCH (r)-[:PART_OF*1..3]->(t:Region) WHERE t.code = $region })
OPTIONAL MATCH (doc)<-[:REPORTED_IN]-(:Amount)-[:OF]->(u:Unit)
WITH r, dep, doc, count(DISTINCT u) AS units
OPTIONAL MATCH (p:Project)-[:REPORTED_IN]->(doc)
WITH r, dep, doc, units, count(DISTINCT p) AS projects
OPTIONAL MATCH (i:Indicator)-[:REPORTED_IN]->(doc)
WITH r, dep, doc, units, projects, count(DISTINCT i) AS indicators
OPTIONAL MATCH (doc)<-[:REPORTED_IN]-(a:Amount)-[:CLASSIFIED_AS]->(s:FunctionalSubject)
WHERE a.table_kind = 'expenditure' AND a.item IS NULL AND s.level = 3
  AND a.category IN ['total', 'basic', 'project']
  AND a.measure = CASE doc.kind WHEN 'budget' THEN 'budget' ELSE 'actual' END
OPTIONAL MATCH (a)-[:OF]->(org)
WITH r, dep, doc, units, projects, indicators, a.category AS category,
     sum(CASE WHEN org.id <> dep.id THEN a.yuan END) AS unit_sum,
     count(CASE WHEN org.id <> dep.id THEN 1 END) AS unit_rows,
     sum(CASE WHEN org.id = dep.id THEN a.yuan END) AS department_sum
WITH r, dep, doc, units, projects, indicators, category,
     CASE WHEN unit_rows > 0 THEN unit_sum ELSE department_sum END AS figure
RETURN r.code AS region, r.name AS region_name, dep.name AS department,
       doc.fiscal_year AS year, doc.kind AS kind, doc.title AS title,
       units, projects, indicators,
       max(CASE WHEN category = 'total' THEN figure END) AS total,
       max(CASE WHEN category = 'basic' THEN figure END) AS basic,
       max(CASE WHEN category = 'project' THEN figure END) AS project
ORDER BY region, year, kind, department
