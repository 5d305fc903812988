// name: budget_vs_final
// description: Budget against final account for one department, subject by subject: what a
//   budget document of `budget_year` plans and what a final account of `final_year` reports
//   as spent, with the execution rate (actual ÷ budget, in %) where both exist.  Give the
//   same year twice for the execution of one budget, or two years to set a budget against
//   an earlier outturn — the bundled samples hold 江油市人民政府办公室's 2024 budget and 2020
//   final account, hence the example.
// param: department string 510781-江油市人民政府办公室 — department id or full name
// param: budget_year int 2024 — fiscal year of the budget document
// param: final_year int 2020 — fiscal year of the final account
// param: level int 3 — subject level compared: 1 类, 2 款 or 3 项
// example: department=510781-江油市人民政府办公室 budget_year=2024 final_year=2020 level=3
// money: budget, actual
// percent: rate
// counting: each side is one cell per subject, at the one level asked for: the department's
//   row for the subject in the general-budget expenditure table (table_kind
//   general_budget_expenditure, category total, the 合计 column — no item; measure budget in
//   the budget document, actual in the final account), or, where the document's table does
//   not give the subject, the figure its narrative states (narrative_final, fund
//   general_public).  Unit rows, 合计 rows and other levels are never added in.  Expects one
//   document per kind and year for the department.
MATCH (dep:Department)
WHERE dep.id = $department OR dep.name = $department
MATCH (doc:Document)-[:PUBLISHED_BY]->(dep)
WHERE (doc.kind = 'budget' AND doc.fiscal_year = $budget_year)
   OR (doc.kind = 'final_account' AND doc.fiscal_year = $final_year)
MATCH (doc)<-[:REPORTED_IN]-(a:Amount)-[:CLASSIFIED_AS]->(s:FunctionalSubject)
MATCH (a)-[:OF]->(dep)
WHERE s.level = $level AND a.category = 'total'
  AND a.measure = CASE doc.kind WHEN 'budget' THEN 'budget' ELSE 'actual' END
  AND ((a.table_kind = 'general_budget_expenditure' AND a.item IS NULL)
       OR (a.table_kind = 'narrative_final' AND a.fund = 'general_public'))
WITH dep, doc, s, collect(a) AS cells,
     min(CASE a.table_kind WHEN 'general_budget_expenditure' THEN 1 ELSE 2 END) AS best
UNWIND cells AS a
WITH dep, doc, s, a, best
WHERE CASE a.table_kind WHEN 'general_budget_expenditure' THEN 1 ELSE 2 END = best
WITH dep, s,
     sum(CASE WHEN doc.kind = 'budget' THEN a.yuan END) AS b,
     count(CASE WHEN doc.kind = 'budget' THEN 1 END) AS nb,
     sum(CASE WHEN doc.kind = 'final_account' THEN a.yuan END) AS f,
     count(CASE WHEN doc.kind = 'final_account' THEN 1 END) AS nf
RETURN dep.name AS department, s.code AS code, s.name AS name, s.level AS level,
       $budget_year AS budget_year, CASE WHEN nb = 0 THEN null ELSE b END AS budget,
       $final_year AS final_year, CASE WHEN nf = 0 THEN null ELSE f END AS actual,
       CASE WHEN nb > 0 AND nf > 0 AND b <> 0 THEN 100.0 * f / b END AS rate
ORDER BY code
