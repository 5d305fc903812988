// Checks Cypher against the Neo4j 5 grammar and Neo4j 5's built-in functions and
// procedures, without a server.
//
// Input (stdin, JSON): either a list of query strings, or
//   {"queries": [{"name": "...", "query": "...", "parameters": ["rows", ...]}, ...],
//    "schema": {"labels": [...], "relationshipTypes": [...], "propertyKeys": [...]}}
// "parameters" is optional: when it is missing, "$name is not defined" diagnostics are
// dropped (parameters are supplied at run time).  "schema" is optional: with it, labels,
// relationship types and properties outside it are reported as warnings.
//
// Output: one line per diagnostic ("name:line:column: error|warning: message"), or with
// --json a JSON list [{name, diagnostics: [{severity, message, line, column}]}].
// Exit code 1 if any query has an error (severity 1), else 0.
//
// The function and procedure catalogue is the Neo4j 5 one recorded in the pinned
// @neo4j-cypher/language-support package, narrowed to what a plain Neo4j 5 server has:
// built-in functions only (no APOC, no GDS), so an embedded-engine function such as
// label() or to_double() is an error here.

import { readFileSync } from 'node:fs';
import { lintCypherQuery, testData } from '@neo4j-cypher/language-support';

const VERSION = 'CYPHER 5';
const PLUGIN = /^(apoc|gds)\./;

function catalogue() {
  const schema = testData.mockSchema;
  const functions = Object.fromEntries(
    Object.entries(schema.functions[VERSION]).filter(([, fn]) => fn.isBuiltIn),
  );
  const procedures = Object.fromEntries(
    Object.entries(schema.procedures[VERSION]).filter(([name]) => !PLUGIN.test(name)),
  );
  return { functions: { [VERSION]: functions }, procedures: { [VERSION]: procedures } };
}

function normalise(input) {
  const list = Array.isArray(input) ? input : input.queries;
  if (!Array.isArray(list)) throw new Error('expected a list of queries or {"queries": [...]}');
  const queries = list.map((item, i) =>
    typeof item === 'string' ? { name: `query ${i + 1}`, query: item } : item,
  );
  return { queries, schema: Array.isArray(input) ? {} : input.schema || {} };
}

const UNDECLARED_PARAMETER = /^Parameter \$\S+ is not defined\.$/;

function lint({ queries, schema }) {
  const { functions, procedures } = catalogue();
  return queries.map(({ name, query, parameters }) => {
    const dbSchema = {
      defaultLanguage: VERSION,
      functions,
      procedures,
      ...schema,
      parameters: Object.fromEntries((parameters || []).map((p) => [p, null])),
    };
    const { diagnostics } = lintCypherQuery(query, dbSchema);
    return {
      name,
      diagnostics: diagnostics
        .filter((d) => parameters || !UNDECLARED_PARAMETER.test(d.message))
        .map((d) => ({
          severity: d.severity,
          message: d.message,
          line: d.range.start.line + 1,
          column: d.range.start.character + 1,
        })),
    };
  });
}

const results = lint(normalise(JSON.parse(readFileSync(0, 'utf8'))));
if (process.argv.includes('--json')) {
  process.stdout.write(JSON.stringify(results) + '\n');
} else {
  for (const { name, diagnostics } of results) {
    for (const d of diagnostics) {
      const level = d.severity === 1 ? 'error' : 'warning';
      process.stdout.write(`${name}:${d.line}:${d.column}: ${level}: ${d.message}\n`);
    }
  }
}
process.exitCode = results.some((r) => r.diagnostics.some((d) => d.severity === 1)) ? 1 : 0;
