/** Times building, saving, loading and querying a BM25 index over synthetic documents. `npx tsx bench/bm25-index.ts [docs]` */
import 'reflect-metadata';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearIndexCache, loadIndex } from '../src';

const count = Number(process.argv[2] ?? 10_000);
const words = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
let seed = 1;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = () => words[Math.floor(rand() ** 2 * words.length)]; // skewed like real text
const lines = Array.from({ length: count }, (_, i) =>
  JSON.stringify({ id: `d${i}`, title: `${pick()} ${pick()}`, text: Array.from({ length: 120 }, pick).join(' '), url: `https://x.org/${i}` }),
);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'tirl-bm25-bench-'));
  try {
    const corpusPath = join(dir, 'corpus.jsonl');
    writeFileSync(corpusPath, lines.join('\n'));
    const request = { source: { corpusPath }, params: { k1: 1.2, b: 0.75 }, indexPath: join(dir, 'index.json') };
    let t = performance.now();
    const built = await loadIndex(request);
    const buildMs = performance.now() - t;
    clearIndexCache();
    t = performance.now();
    const loaded = await loadIndex(request);
    const loadMs = performance.now() - t;
    const queries = Array.from({ length: 200 }, () => `${pick()} ${pick()} ${pick()}`);
    t = performance.now();
    for (const q of queries) loaded.index.search(q);
    const queryMs = (performance.now() - t) / queries.length;
    console.log(JSON.stringify({
      docs: count,
      buildAndSaveMs: Math.round(buildMs),
      origin: [built.origin, loaded.origin],
      indexFileMB: +(statSync(request.indexPath).size / 2 ** 20).toFixed(1),
      loadMs: Math.round(loadMs),
      queryMs: +queryMs.toFixed(2),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
void main();
