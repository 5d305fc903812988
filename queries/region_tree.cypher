// name: region_tree
// description: A region (GB/T 2260) with the regions above it up to the province and the
//   regions below it, each with its level, its parent and how many loaded departments are
//   located directly in it.
// param: region string 510781 — GB/T 2260 code
// example: region=510781
// counting: no amounts; one row per region, `departments` counts distinct departments.
MATCH (self:Region {code: $region})
MATCH (self)-[:PART_OF*1..3]->(x:Region)
OPTIONAL MATCH (x)-[:PART_OF]->(parent:Region)
OPTIONAL MATCH (d:Department)-[:LOCATED_IN]->(x)
RETURN x.code AS code, x.name AS name, x.level AS level, parent.code AS parent,
       'ancestor' AS relation, count(DISTINCT d) AS departments
ORDER BY code
UNION
MATCH (x:Region) WHERE x.code = $region
OPTIONAL MATCH (x)-[:PART_OF]->(parent:Region)
OPTIONAL MATCH (d:Department)-[:LOCATED_IN]->(x)
RETURN x.code AS code, x.name AS name, x.level AS level, parent.code AS parent,
       'self' AS relation, count(DISTINCT d) AS departments
ORDER BY code
UNION
MATCH (self:Region {code: $region})
MATCH (x:Region)-[:PART_OF*1..3]->(self)
OPTIONAL MATCH (x)-[:PART_OF]->(parent:Region)
OPTIONAL MATCH (d:Department)-[:LOCATED_IN]->(x)
RETURN x.code AS code, x.name AS name, x.level AS level, parent.code AS parent,
       'descendant' AS relation, count(DISTINCT d) AS departments
ORDER BY code
