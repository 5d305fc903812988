// name: top_projects
// description: The largest projects (项目) by amount, for a region and year: project, its
//   department, year and the amount in the measure asked for (budget, adjusted_budget or
//   actual).
// param: region string "" — GB/T 2260 code (the region or any region inside it); empty for all
// param: year int 2024 — fiscal year of the projects; 0 for every year
// param: measure string budget — budget, adjusted_budget or actual
// param: limit int 10 — how many projects
// example: year=2024 measure=budget limit=10
// money: yuan
// counting: one figure per project, never a sum: the largest cell any document prints for
//   the project in that measure.  The tables that list a project (项目支出表, its
//   performance target, self-evaluation or completion table, the narrative's project list)
//   repeat the same figure, and the all-funds column is never smaller than one fund's
//   column, so the largest cell is the project's amount.  Ties are broken by project id.
MATCH (p:Project)-[:REPORTED_IN]->(doc:Document)-[:PUBLISHED_BY]->(dep:Department)
MATCH (dep)-[:LOCATED_IN]->(r:Region)
WHERE ($year = 0 OR p.fiscal_year = $year)
  AND ($region = '' OR r.code = $region
       OR EXISTS { MATCH (r)-[:PART_OF*1..3]->(t:Region) WHERE t.code = $region })
MATCH (a:Amount)-[:FOR_PROJECT]->(p)
WHERE a.measure = $measure
WITH r, dep, p, max(a.yuan) AS yuan
RETURN r.code AS region, r.name AS region_name, dep.name AS department,
       p.fiscal_year AS year, p.id AS project_id, p.name AS project, yuan
ORDER BY yuan DESC, project_id
LIMIT $limit
