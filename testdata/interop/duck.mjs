// duck.mjs runs SQL in DuckDB for ldfit's interoperability test.
//
// Input (stdin, JSON): {"exec": ["SQL", ...], "query": {"name": "SELECT ...", ...}}
// Output (stdout, JSON): {"name": {"columns": [...], "types": [...], "rows": [[...], ...]}}
// Doubles are written as JSON numbers (shortest round-trip form, so they parse back to
// the same float64), or as the strings "NaN", "Infinity", "-Infinity"; 64-bit integers as
// decimal strings, so that no precision is lost.
import { DuckDBInstance } from '@duckdb/node-api';

function plain(v) {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && 'items' in v) return v.items.map(plain); // LIST values
  return typeof v === 'object' ? String(v) : v;
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const job = JSON.parse(input);
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
for (const sql of job.exec ?? []) await conn.run(sql);
const out = {};
for (const [name, sql] of Object.entries(job.query ?? {})) {
  const r = await conn.runAndReadAll(sql);
  out[name] = {
    columns: r.columnNames(),
    types: r.columnTypes().map(String),
    rows: r.getRows().map((row) => row.map(plain)),
  };
}
process.stdout.write(JSON.stringify(out));
