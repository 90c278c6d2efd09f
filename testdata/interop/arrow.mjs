// arrow.mjs reads and writes Arrow IPC files and streams with apache-arrow, the reference
// JavaScript implementation of Arrow, for ldfit's interoperability test.
//
// Input (stdin, JSON):
//   {"write": [{"path": P, "format": "file"|"stream", "batch": rows per record batch,
//               "compression": absent or "lz4" (LZ4 frames; fzstd cannot compress; note that
//                 apache-arrow 21.2.0 writes the compressed length where the format wants
//                 the uncompressed one, apache/arrow-js#470),
//               "metadata": {k: v},
//               "columns": [{"name": N, "type": "float64"|"float32"|"int32"|"int64",
//                            "hex": little-endian bytes of the values, "nulls": [row, ...]}
//                         | {"name": N, "type": "utf8"|"dict", "values": [string|null, ...]}]}],
//    "read": [P, ...]}
// Output (stdout, JSON): {P: {"format": "file"|"stream", "batches": n, "metadata": {k: v},
//   "fields": [{"name", "type", "nullable"}],
//   "columns": {N: {"hex": "..."} | {"values": [...]}, with "nulls": [row, ...]}}}
// Numbers travel as the hex of their little-endian bytes so that every bit is compared.
// Compressed IPC buffers (zstd, LZ4 frame) are decoded by the pure-JavaScript fzstd and
// lz4js, since apache-arrow ships no codecs of its own.
import { readFileSync, writeFileSync } from 'node:fs';
import { decompress as unzstd } from 'fzstd';
import lz4 from 'lz4js';
import {
  compressionRegistry, CompressionType, tableFromIPC, RecordBatch, RecordBatchFileWriter, RecordBatchStreamWriter, Schema, Field,
  Struct, Float64, Float32, Int32, Int64, Utf8, Dictionary, makeData, vectorFromArray,
} from 'apache-arrow';

// apache-arrow views each decoded buffer in place, so it must start at an offset that is
// a multiple of 8: slice() copies it into a buffer of its own.
compressionRegistry.set(CompressionType.ZSTD, { decode: (b) => unzstd(b).slice() });
compressionRegistry.set(CompressionType.LZ4_FRAME, {
  encode: (b) => lz4.compress(b),
  decode: (b) => lz4.decompress(b).slice(),
});

const numeric = {
  float64: [Float64, Float64Array],
  float32: [Float32, Float32Array],
  int32: [Int32, Int32Array],
  int64: [Int64, BigInt64Array],
};

function bitmap(isNull, from, to) {
  const bits = new Uint8Array(((to - from + 63) >> 6) << 3);
  let nulls = 0;
  for (let i = from; i < to; i++) {
    if (isNull(i)) nulls++;
    else bits[(i - from) >> 3] |= 1 << ((i - from) & 7);
  }
  return [bits, nulls];
}

// column prepares a column: its field and a function making the Data of rows [from, to).
function column(c) {
  const nullSet = new Set(c.nulls ?? []);
  if (c.type in numeric) {
    const [T, A] = numeric[c.type];
    const buf = Buffer.from(c.hex, 'hex');
    const all = new A(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const type = new T();
    return [new Field(c.name, type, nullSet.size > 0), (from, to) => {
      const [nullBitmap, nullCount] = bitmap((i) => nullSet.has(i), from, to);
      return makeData({ type, length: to - from, nullCount, nullBitmap, data: all.slice(from, to) });
    }];
  }
  const isNull = (i) => c.values[i] === null;
  const nullable = c.values.some((v) => v === null);
  if (c.type === 'utf8') {
    const type = new Utf8();
    return [new Field(c.name, type, nullable), (from, to) => vectorFromArray(c.values.slice(from, to), type).data[0]];
  }
  if (c.type !== 'dict') throw new Error(`column ${c.name}: unknown type ${c.type}`);
  // One dictionary shared by every batch, so that the file format holds it once.
  const words = [...new Set(c.values.filter((v) => v !== null))];
  const index = new Map(words.map((w, i) => [w, i]));
  const dictionary = vectorFromArray(words, new Utf8());
  const type = new Dictionary(new Utf8(), new Int32());
  const codes = Int32Array.from(c.values, (v) => (v === null ? 0 : index.get(v)));
  return [new Field(c.name, type, nullable), (from, to) => {
    const [nullBitmap, nullCount] = bitmap(isNull, from, to);
    return makeData({ type, length: to - from, nullCount, nullBitmap, data: codes.slice(from, to), dictionary });
  }];
}

function write(job) {
  const cols = job.columns.map(column);
  const schema = new Schema(cols.map((c) => c[0]), new Map(Object.entries(job.metadata ?? {})));
  const first = job.columns[0];
  const rows = first.values ? first.values.length : Buffer.from(first.hex, 'hex').length / numeric[first.type][1].BYTES_PER_ELEMENT;
  const opt = job.compression === 'lz4' ? { compressionType: CompressionType.LZ4_FRAME } : {};
  const w = job.format === 'file' ? new RecordBatchFileWriter(opt) : new RecordBatchStreamWriter(opt);
  for (let from = 0; from < rows; from += job.batch) {
    const to = Math.min(rows, from + job.batch);
    const children = cols.map((c) => c[1](from, to));
    w.write(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: to - from, children })));
  }
  w.finish();
  writeFileSync(job.path, w.toUint8Array(true));
}

function hex(values) {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('hex');
}

function read(path) {
  const bytes = readFileSync(path);
  const table = tableFromIPC(bytes);
  const out = {
    format: bytes.subarray(0, 6).toString('latin1') === 'ARROW1' ? 'file' : 'stream',
    batches: table.batches.length,
    metadata: Object.fromEntries(table.schema.metadata),
    fields: table.schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable })),
    columns: {},
  };
  table.schema.fields.forEach((f, j) => {
    const col = { nulls: [] };
    const parts = [];
    let row = 0;
    for (const b of table.batches) {
      const v = b.getChildAt(j);
      for (let i = 0; i < v.length; i++) if (!v.isValid(i)) col.nulls.push(row + i);
      row += v.length;
      if (f.type.typeId === new Utf8().typeId || f.type instanceof Dictionary) {
        parts.push(...[...v].map((x) => (x === null ? null : String(x))));
      } else {
        for (const d of v.data) parts.push(hex(d.values.subarray(d.offset, d.offset + d.length)));
      }
    }
    if (f.type.typeId === new Utf8().typeId || f.type instanceof Dictionary) col.values = parts;
    else col.hex = parts.join('');
    out.columns[f.name] = col;
  });
  return out;
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const job = JSON.parse(input);
for (const w of job.write ?? []) write(w);
const out = {};
for (const p of job.read ?? []) out[p] = read(p);
process.stdout.write(JSON.stringify(out));
