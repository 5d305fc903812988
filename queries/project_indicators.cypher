// name: project_indicators
// description: The performance indicators of the projects of a region and year — level 1
//   and 2 headings, the indicator, its operator and target (number and text as printed) and,
//   where a final account reports them, the actual value, weight and score.
// param: region string 500152 — GB/T 2260 code (the region or any region inside it); empty for all
// param: year int 2024 — fiscal year of the projects; 0 for every year
// param: project string "" — only projects whose name contains this text; empty for all
// example: region=500152 year=2024 project=督查
// counting: no amounts; one row per indicator.
MATCH (p:Project)-[:HAS_INDICATOR]->(i:Indicator)
MATCH (p)-[:REPORTED_IN]->(doc:Document)-[:PUBLISHED_BY]->(dep:Department)
MATCH (dep)-[:LOCATED_IN]->(r:Region)
WHERE ($year = 0 OR p.fiscal_year = $year)
  AND ($project = '' OR p.name CONTAINS $project)
  AND ($region = '' OR r.code = $region
       OR EXISTS { MATCH (r)-[:PART_OF*1..3]->(t:Region) WHERE t.code = $region })
  AND EXISTS { MATCH (i)-[:REPORTED_IN]->(doc) }
RETURN r.code AS region, dep.name AS department, p.fiscal_year AS year, doc.kind AS kind,
       p.name AS project, i.level1 AS level1, i.level2 AS level2, i.name AS indicator,
       i.operator AS operator, i.target_value AS target_value, i.target_text AS target_text,
       i.unit AS unit, i.actual_value AS actual_value, i.actual_text AS actual_text,
       i.weight AS weight, i.score AS score
ORDER BY region, year, project, kind, level1, level2, indicator
