// name: qualitative_indicators
// description: Performance indicators without a quantitative target (定性 — e.g. 有效提升,
//   提升党员贯彻落实党中央的决策部署能力): the target as printed and, in a final account,
//   what was reported — for the projects and department-wide goals of a region and year.
// param: region string 510781 — GB/T 2260 code (the region or any region inside it); empty for all
// param: year int 2024 — fiscal year of the documents; 0 for every year
// example: region=510781 year=2024
// counting: no amounts; one row per indicator (an indicator without a numeric target value).
MATCH (i:Indicator)-[:REPORTED_IN]->(doc:Document)-[:PUBLISHED_BY]->(dep:Department)
MATCH (dep)-[:LOCATED_IN]->(r:Region)
WHERE i.target_value IS NULL
  AND ($year = 0 OR doc.fiscal_year = $year)
  AND ($region = '' OR r.code = $region
       OR EXISTS { MATCH (r)-[:PART_OF*1..3]->(t:Region) WHERE t.code = $region })
OPTIONAL MATCH (p:Project)-[:HAS_INDICATOR]->(i)
RETURN r.code AS region, dep.name AS department, doc.fiscal_year AS year, doc.kind AS kind,
       CASE WHEN p IS NULL THEN 'department' ELSE 'project' END AS owner_kind,
       coalesce(p.name, dep.name) AS owner,
       i.level1 AS level1, i.level2 AS level2, i.name AS indicator, i.operator AS operator,
       i.target_text AS target_text, i.actual_text AS actual_text, i.score AS score
ORDER BY region, year, kind, owner, level1, level2, indicator
