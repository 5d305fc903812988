// name: trace
// description: Follow the money of one region and year from a functional subject (e.g. 201
//   一般公共服务支出) down its 款/项 subjects to the amount each budget unit or department
//   has under them, the projects it runs there, each project's own amount and how many
//   performance indicators the project carries.  One row per subject × unit or department ×
//   project (project columns empty where the unit runs no project under that subject).
// param: subject string 201 — functional subject to start from (类, 款 or 项 code); its narrower subjects are traced
// param: region string 510781 — GB/T 2260 code; departments located in it or in a region inside it
// param: year int 2024 — fiscal year of the documents
// example: subject=201 region=510781 year=2024
// money: yuan, project_yuan
// counting: nothing is added up.  `yuan` is one printed cell of the expenditure summary
//   (部门支出总表: table_kind expenditure, category total, the 合计 column — no item) for one
//   subject and one budget unit or the department (`unit_kind` says which), as printed.  款
//   and 项 rows, and a department's row next to its units' rows, are listed side by side and
//   must not be summed together.  `project_yuan` is
//   the largest cell printed for the project in the same measure (its performance or
//   self-evaluation table repeats the figure of the project table; the all-funds column is
//   never smaller than one fund's column).
MATCH (top:Region {code: $region})
MATCH (r:Region)-[:PART_OF*0..3]->(top)
MATCH (dep:Department)-[:LOCATED_IN]->(r)
MATCH (doc:Document)-[:PUBLISHED_BY]->(dep)
WHERE doc.fiscal_year = $year
MATCH (cls:FunctionalSubject {code: $subject})
MATCH (s:FunctionalSubject)-[:BROADER*1..2]->(cls)
MATCH (a:Amount)-[:CLASSIFIED_AS]->(s)
MATCH (a)-[:REPORTED_IN]->(doc)
MATCH (a)-[:OF]->(org)
// The amounts are collected and unwound before their own properties are tested, so that the
// test runs on the amounts found under the subjects, not on a scan of every stored amount.
WITH r, dep, doc, s, org, collect(a) AS cells
UNWIND cells AS a
WITH r, dep, doc, s, org, a
WHERE a.table_kind = 'expenditure' AND a.category = 'total' AND a.item IS NULL
OPTIONAL MATCH (s)<-[:CLASSIFIED_AS]-(p:Project)-[:RUN_BY]->(org)
WHERE p.fiscal_year = $year
OPTIONAL MATCH (p)-[:HAS_INDICATOR]->(i:Indicator)
WITH r, dep, doc, s, org, a, p, count(DISTINCT i) AS indicators
OPTIONAL MATCH (pa:Amount)-[:FOR_PROJECT]->(p)
WHERE pa.measure = a.measure
WITH r, dep, doc, s, org, a, p, indicators, max(pa.yuan) AS project_yuan
RETURN r.code AS region, dep.name AS department, doc.fiscal_year AS year,
       s.code AS code, s.name AS name, s.level AS level,
       org.name AS unit, CASE WHEN org.id = dep.id THEN 'department' ELSE 'unit' END AS unit_kind,
       a.measure AS measure, a.yuan AS yuan,
       p.name AS project, project_yuan, CASE WHEN p IS NULL THEN null ELSE indicators END AS indicators
ORDER BY code, unit, project
