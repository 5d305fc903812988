// name: subject_tree
// description: A classification subject and everything under it — functional (类 › 款 › 项,
//   e.g. 201 一般公共服务支出) or economic (类 › 款, e.g. 301 工资福利支出) — with names,
//   levels and each subject's parent.  Lists the subjects the graph knows: the code lists
//   and every subject a loaded document prints.
// param: subject string 201 — subject code (functional 201…, economic 301… or 501…)
// example: subject=201
// counting: no amounts; one row per subject.  (Two branches, one per classification: only
//   one of them finds the code, and each sorts its own rows.)
MATCH (root:FunctionalSubject {code: $subject})
MATCH (s:FunctionalSubject)-[:BROADER*0..2]->(root)
OPTIONAL MATCH (s)-[:BROADER]->(parent:FunctionalSubject)
RETURN s.code AS code, s.name AS name, s.level AS level, parent.code AS parent,
       'functional' AS scheme
ORDER BY code
UNION
MATCH (root:EconomicSubject {code: $subject})
MATCH (s:EconomicSubject)-[:BROADER*0..2]->(root)
OPTIONAL MATCH (s)-[:BROADER]->(parent:EconomicSubject)
RETURN s.code AS code, s.name AS name, s.level AS level, parent.code AS parent,
       s.scheme AS scheme
ORDER BY code
