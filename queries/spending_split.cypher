// name: spending_split
// description: How each department's spending splits: basic (基本支出) against project
//   (项目支出) expenditure, and within basic expenditure personnel (人员经费) against public
//   (公用经费) funds — one row per document, measure and part, for a region and year.
// param: region string "" — GB/T 2260 code (the region or any region inside it); empty for all
// param: year int 2024 — fiscal year; 0 for every year
// example: year=2024
// money: yuan
// counting: each part is a sum over one level of one table.  basic and project add the
//   项-level rows (functional subjects of level 3) of the expenditure summary (部门支出总表,
//   table_kind expenditure); personnel and public add the 类-level rows (economic subjects
//   of level 1: 301, 302, 303 …) of the general-budget basic expenditure table (一般公共预算
//   基本支出表, table_kind general_budget_basic).  Only the 合计 column (no item), so no
//   合计, 款 or detail row is added in; and of the rows so chosen, the budget units' rows when
//   the table gives any, otherwise the department's own rows — never a department together
//   with its units.
MATCH (doc:Document)-[:PUBLISHED_BY]->(dep:Department)-[:LOCATED_IN]->(r:Region)
WHERE ($year = 0 OR doc.fiscal_year = $year)
  AND ($region = '' OR r.code = $region
       OR EXISTS { MATCH (r)-[:PART_OF*1..3]->(t:Region) WHERE t.code = $region })
MATCH (doc)<-[:REPORTED_IN]-(a:Amount)-[:CLASSIFIED_AS]->(s)
MATCH (a)-[:OF]->(org)
WHERE a.item IS NULL
  AND ((a.table_kind = 'expenditure' AND a.category IN ['basic', 'project'] AND s.level = 3)
       OR (a.table_kind = 'general_budget_basic' AND a.category IN ['personnel', 'public']
           AND s.level = 1))
WITH r, dep, doc, a.measure AS measure, a.category AS category,
     sum(CASE WHEN org.id <> dep.id THEN a.yuan END) AS unit_sum,
     count(CASE WHEN org.id <> dep.id THEN 1 END) AS unit_rows,
     sum(CASE WHEN org.id = dep.id THEN a.yuan END) AS department_sum
RETURN r.code AS region, r.name AS region_name, dep.name AS department,
       doc.fiscal_year AS year, measure, category,
       CASE WHEN unit_rows > 0 THEN unit_sum ELSE department_sum END AS yuan
ORDER BY region, year, measure, category
