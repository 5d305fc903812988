// name: economic_breakdown
// description: Basic expenditure (基本支出) by economic classification (支出经济分类, e.g.
//   30101 基本工资, 30201 办公费) for each department of a region and year, split into
//   personnel (人员经费) and public (公用经费) funds, at one level of the classification.
// param: region string 510781 — GB/T 2260 code (the region or any region inside it); empty for all
// param: year int 2024 — fiscal year; 0 for every year
// param: level int 2 — economic subject level: 1 类 (301, 302 …) or 2 款 (30101, 30201 …)
// example: region=510781 year=2024 level=2
// money: personnel, public, yuan
// counting: the rows of the general-budget basic expenditure table (一般公共预算基本支出表,
//   table_kind general_budget_basic) for subjects of the one level asked for, without the
//   detail rows printed under a 款 (those carry an item) and without 合计 rows.  `yuan` adds
//   the personnel and public columns, which split basic expenditure between them (the
//   table's own 合计 column is not added as well).  Of those rows, the budget units' rows
//   when the table gives any for the subject, otherwise the department's own row — never a
//   department together with its units.
MATCH (doc:Document)-[:PUBLISHED_BY]->(dep:Department)-[:LOCATED_IN]->(r:Region)
WHERE ($year = 0 OR doc.fiscal_year = $year)
  AND ($region = '' OR r.code = $region
       OR EXISTS { MATCH (r)-[:PART_OF*1..3]->(t:Region) WHERE t.code = $region })
MATCH (doc)<-[:REPORTED_IN]-(a:Amount)-[:CLASSIFIED_AS]->(s:EconomicSubject)
MATCH (a)-[:OF]->(org)
WHERE a.table_kind = 'general_budget_basic' AND a.item IS NULL AND s.level = $level
  AND a.category IN ['personnel', 'public']
WITH r, dep, doc, a.measure AS measure, s, a.category AS category,
     sum(CASE WHEN org.id <> dep.id THEN a.yuan END) AS unit_sum,
     count(CASE WHEN org.id <> dep.id THEN 1 END) AS unit_rows,
     sum(CASE WHEN org.id = dep.id THEN a.yuan END) AS department_sum
WITH r, dep, doc, measure, s, category,
     CASE WHEN unit_rows > 0 THEN unit_sum ELSE department_sum END AS figure
RETURN r.code AS region, r.name AS region_name, dep.name AS department,
       doc.fiscal_year AS year, measure, s.code AS code, s.name AS name,
       max(CASE WHEN category = 'personnel' THEN figure END) AS personnel,
       max(CASE WHEN category = 'public' THEN figure END) AS public,
       sum(figure) AS yuan
ORDER BY region, year, measure, code
