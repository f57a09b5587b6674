import { Bm25Index, parseCorpus, readCorpus, demoCorpusPath } from '../src';
import { expectClose } from '@tirl/core/testing';

/*
 * Tiny corpus, k1 = 1.2, b = 0.75, empty titles (the indexed field is "title\ntext"):
 *   d1 "cat sat" (|d| = 2), d2 "cat cat dog" (|d| = 3), d3 "dog bird" (|d| = 2); N = 3, avgdl = 7/3.
 * idf(t) = ln(1 + (N − n + 0.5)/(n + 0.5)):
 *   idf(cat)  = ln(1 + 1.5/2.5) = ln 1.6        = 0.4700036
 *   idf(sat)  = idf(bird) = ln(1 + 2.5/1.5) = ln(8/3) = 0.9808293
 * tf part = tf·(k1+1) / (tf + k1·(1 − b + b·|d|/avgdl)):
 *   |d| = 2, tf = 1: norm = 0.25 + 0.75·6/7 = 0.8928571; 2.2 / (1 + 1.0714286) = 1.0620690
 *   |d| = 3, tf = 2: norm = 0.25 + 0.75·9/7 = 1.2142857; 4.4 / (2 + 1.4571429) = 1.2727273
 * Scores:
 *   "cat":     d2 = 0.4700036·1.2727273 = 0.5981864, d1 = 0.4700036·1.0620690 = 0.4991762
 *   "cat sat": d1 = 0.4991762 + 0.9808293·1.0620690 = 0.4991762 + 1.0417083 = 1.5408845, d2 = 0.5981864
 *   "bird cat": d3 = 1.0417083, d2 = 0.5981864, d1 = 0.4991762
 */
const tiny = [
  { id: 'd1', title: '', text: 'cat sat', url: '' },
  { id: 'd2', title: '', text: 'cat cat dog', url: '' },
  { id: 'd3', title: '', text: 'dog bird', url: '' },
];

describe('Bm25Index scores are exact Okapi BM25', () => {
  const index = Bm25Index.build(tiny, { k1: 1.2, b: 0.75 });
  const scores = (query: string) => index.search(query).map((h) => [h.doc.id, h.score]);

  it.each([
    ['cat', [['d2', 0.5981864], ['d1', 0.4991762]]],
    ['cat sat', [['d1', 1.5408845], ['d2', 0.5981864]]],
    ['bird cat', [['d3', 1.0417083], ['d2', 0.5981864], ['d1', 0.4991762]]],
    ['CAT, cat! sat', [['d1', 1.5408845], ['d2', 0.5981864]]],
  ])('query %j', (query, expected) => {
    const got = scores(query as string);
    expect(got.map((g) => g[0])).toEqual((expected as [string, number][]).map((e) => e[0]));
    expectClose(got.map((g) => g[1] as number), (expected as [string, number][]).map((e) => e[1]), 1e-6);
  });

  it('returns nothing for a query without indexed terms', () => {
    expect(index.search('zebra')).toEqual([]);
    expect(index.search('  ,. ')).toEqual([]);
  });

  it('survives a JSON round trip with the same scores', () => {
    const restored = Bm25Index.fromJSON(tiny, { k1: 1.2, b: 0.75 }, JSON.parse(JSON.stringify(index.toJSON())));
    expect(restored.search('cat sat')).toEqual(index.search('cat sat'));
  });
});

/** A reference Okapi BM25 written from the formula, to compare on the demo corpus. */
function referenceBm25(docs: { id: string; title: string; text: string }[], query: string, k1: number, b: number) {
  const tokens = (s: string) => s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const bags = docs.map((d) => tokens(`${d.title}\n${d.text}`));
  const avgdl = bags.reduce((s, t) => s + t.length, 0) / bags.length;
  const terms = [...new Set(tokens(query))];
  return bags
    .map((bag, i) => {
      let score = 0;
      for (const t of terms) {
        const tf = bag.filter((w) => w === t).length;
        if (tf === 0) continue;
        const n = bags.filter((d) => d.includes(t)).length;
        const idf = Math.log(1 + (bags.length - n + 0.5) / (n + 0.5));
        score += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * bag.length) / avgdl));
      }
      return { id: docs[i].id, score };
    })
    .filter((r) => r.score > 0)
    .sort((x, y) => y.score - x.score || x.id.localeCompare(y.id));
}

describe('Bm25Index against a reference BM25 on the demo corpus', () => {
  const { docs } = readCorpus(demoCorpusPath);
  it.each([
    [1.2, 0.75, 'which planet has rings of ice'],
    [0.9, 0.4, 'red metal Mars iron'],
    [1.5, 1, 'river flowing into the North Sea'],
  ])('k1 = %d, b = %d, query %j', (k1, b, query) => {
    const expected = referenceBm25(docs, query, k1, b);
    const got = Bm25Index.build(docs, { k1, b }).search(query);
    expect(got.map((h) => h.doc.id)).toEqual(expected.map((e) => e.id));
    expectClose(got.map((h) => h.score), expected.map((e) => e.score), 1e-9);
  });
});

describe('parseCorpus', () => {
  it('reads JSONL with defaults for title and url, and numeric ids as strings', () => {
    expect(parseCorpus('{"id":1,"text":"a"}\n\n{"id":"x","title":"T","text":"b","url":"u"}\n', 'c.jsonl')).toEqual([
      { id: '1', title: '', text: 'a', url: '' },
      { id: 'x', title: 'T', text: 'b', url: 'u' },
    ]);
  });
  it.each([
    ['{"id":"a","text":"x"}\nnot json', /c\.jsonl:2: not JSON/],
    ['{"id":"a"}', /c\.jsonl:1: bad document \(text: /],
    ['{"id":"a","text":"x"}\n{"id":"a","text":"y"}', /duplicate document id "a"/],
  ])('rejects %j', (text, message) => {
    expect(() => parseCorpus(text, 'c.jsonl')).toThrow(message);
  });
});

describe('plain MiniSearch defaults are not Okapi BM25 (why Bm25Index corrects them)', () => {
  it('scores d2 for "cat" as BM25+ over distinct-token lengths', () => {
    // Defaults k = 1.2, b = 0.7, d = 0.5; lengths are distinct tokens: all three docs have 2, so avgdl = 2 and
    // the length norm is 1. d2: idf(cat) · (0.5 + 2·2.2/(2 + 1.2)) = 0.4700036 · 1.875 = 0.8812568 (Okapi: 0.5981864).
    const MiniSearch = require('minisearch');
    const engine = new MiniSearch({ fields: ['text'] });
    engine.addAll(tiny);
    const d2 = engine.search('cat').find((r: { id: string }) => r.id === 'd2');
    expectClose(d2.score, 0.8812568, 1e-6);
  });
});
