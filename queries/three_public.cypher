// name: three_public
// description: “三公”经费 by region and year: the total and its parts (因公出国（境）,
//   公务用车购置及运行 with 购置 and 运行, 公务接待) as each department's document prints them,
//   budget or actual.
// param: region string "" — GB/T 2260 code (the region or any region inside it); empty for all
// param: year int 0 — fiscal year; 0 for every year
// example: year=0
// money: yuan
// counting: one printed cell per document, measure and category, never a sum.  Each
//   document's figures come from one table: its 三公 table (table_kind three_public) if it
//   has one, else its 机关运行经费/三公 table (institution_operation), else its narrative
//   (narrative_final) — `source` says which.  Within that table only the department's own
//   rows count (not its units'), the 财政拨款 column (fund general_public) where the table
//   also has an all-funds one, and the first row printed for the category (the 合计 or
//   parent row, not the breakdown printed under it).
MATCH (doc:Document)-[:PUBLISHED_BY]->(dep:Department)-[:LOCATED_IN]->(r:Region)
WHERE ($year = 0 OR doc.fiscal_year = $year)
  AND ($region = '' OR r.code = $region
       OR EXISTS { MATCH (r)-[:PART_OF*1..3]->(t:Region) WHERE t.code = $region })
MATCH (doc)<-[:REPORTED_IN]-(a:Amount)-[:OF]->(dep)
WHERE a.table_kind IN ['three_public', 'institution_operation', 'narrative_final']
  AND a.category IN ['three_public', 'overseas_travel', 'vehicle_purchase_operation',
                     'vehicle_purchase', 'vehicle_operation', 'official_reception']
WITH r, dep, doc,
     min(CASE a.table_kind WHEN 'three_public' THEN 1
                           WHEN 'institution_operation' THEN 2 ELSE 3 END) AS best
MATCH (doc)<-[:REPORTED_IN]-(a:Amount)-[:OF]->(dep)
WHERE a.table_kind = CASE best WHEN 1 THEN 'three_public'
                               WHEN 2 THEN 'institution_operation' ELSE 'narrative_final' END
  AND a.category IN ['three_public', 'overseas_travel', 'vehicle_purchase_operation',
                     'vehicle_purchase', 'vehicle_operation', 'official_reception']
WITH r, dep, doc, a.table_kind AS source, a.measure AS measure, a.category AS category,
     min(CASE WHEN a.fund = 'general_public' THEN 0 ELSE 1000000 END + coalesce(a.row, 0))
       AS first
MATCH (doc)<-[:REPORTED_IN]-(a:Amount)-[:OF]->(dep)
WHERE a.table_kind = source AND a.measure = measure AND a.category = category
  AND CASE WHEN a.fund = 'general_public' THEN 0 ELSE 1000000 END + coalesce(a.row, 0) = first
RETURN r.code AS region, r.name AS region_name, dep.name AS department,
       doc.fiscal_year AS year, measure, category, max(a.yuan) AS yuan, source
ORDER BY region, year, measure, category
