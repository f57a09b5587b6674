import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOptions, type Tool } from '@tirl/core';
import { runToolKit, testPluginContext } from '@tirl/core/testing';
import { clearIndexCache, demoCorpusPath, loadIndex, openTool, searchTool } from '../src';
import { guardedToolCall } from '@tirl/core';
import { toolContext } from './helpers';

const make = (def: typeof searchTool | typeof openTool, options: Record<string, unknown>): Tool =>
  def.create(parseOptions(def.id, def.options, options) as never, testPluginContext(def.id));

runToolKit(searchTool, {
  valid: { corpusPath: demoCorpusPath },
  calls: [{ args: { query: 'river' }, ok: true }],
  invalid: [
    { options: { corpusPath: undefined }, field: 'corpusPath' },
    { options: { docs: [] }, field: 'corpusPath' },
    { options: { k: 0 }, field: 'k' },
    { options: { k: 30, maxK: 20 }, field: 'k' },
    { options: { bm25: { k1: -1, b: 0.75 } }, field: 'bm25.k1' },
    { options: { bm25: { k1: 1.2, b: 2 } }, field: 'bm25.b' },
    { options: { snippetChars: 5 }, field: 'snippetChars' },
  ],
});
runToolKit(openTool, {
  valid: { docs: [{ id: 'a', title: 'Alpha', text: 'alpha text', url: 'https://x.org/a' }] },
  calls: [{ args: { id: 'a' }, ok: true, observation: /alpha text/ }, { args: { id: 'no-such-document' }, ok: false }],
  invalid: [
    { options: { pageChars: 10 }, field: 'pageChars' },
    { options: { corpusPath: '' }, field: 'corpusPath' },
  ],
});

describe('tool/search', () => {
  const search = make(searchTool, { corpusPath: demoCorpusPath, k: 3, blocklist: ['huggingface.co/datasets'] });

  it('returns ranked snippets with ids and urls', async () => {
    const result = await search.call({ query: 'planet with bright rings of ice' }, toolContext());
    expect(result.ok).toBe(true);
    const hits = (result.data as { hits: { id: string; score: number }[] }).hits;
    expect(hits).toHaveLength(3);
    expect(hits[0].id).toBe('planet-6'); // Saturn: "bright rings of ice"
    expect(hits[0].score).toBeGreaterThan(hits[1].score);
    expect(result.observation).toMatch(/^\[1\] Saturn \(id: planet-6, url: https:\/\/encyclopedia\.example\.org\/planets\/saturn\)\n/);
  });

  it('removes blocklisted urls before taking k, and says how many', async () => {
    const unblocked = make(searchTool, { corpusPath: demoCorpusPath, k: 3 });
    const leaky = await unblocked.call({ query: 'Nile Mars Gold Jupiter answers' }, toolContext());
    expect((leaky.data as { hits: { id: string }[] }).hits[0].id).toMatch(/^leak-/);
    const result = await search.call({ query: 'Nile Mars Gold Jupiter answers', k: 3 }, toolContext());
    const data = result.data as { hits: { url: string }[]; blocked: number };
    expect(data.hits).toHaveLength(3);
    expect(data.hits.every((h) => !h.url.includes('huggingface.co'))).toBe(true);
    expect(data.blocked).toBe(4);
  });

  it('answers a query with no match with an ok, empty result', async () => {
    const result = await search.call({ query: 'zzyzx' }, toolContext());
    expect(result).toMatchObject({ ok: true, observation: 'No results for "zzyzx".' });
  });

  it.each([
    [{}, /query: /],
    [{ query: '   ' }, /query: /],
    [{ query: 'mars', k: 0 }, /k: /],
    [{ query: 'mars', k: 21 }, /k: /],
    [{ query: 'mars', extra: 1 }, /unrecognized key/i],
    ['not json', /expected object/i],
    [null, /expected object/i],
  ])('turns bad arguments %j into a schema observation', async (args, message) => {
    const result = await search.call(args, toolContext());
    expect(result).toMatchObject({ ok: false, error: 'schema' });
    expect(result.observation).toMatch(/^search: bad arguments/);
    expect(result.observation).toMatch(message);
  });

  it('accepts arguments as a JSON string', async () => {
    const result = await search.call('{"query":"Danube","k":1}', toolContext());
    expect((result.data as { hits: { id: string }[] }).hits.map((h) => h.id)).toEqual(['river-5']);
  });

  it('reports an unreadable corpus as an observation, not an exception', async () => {
    const broken = make(searchTool, { corpusPath: '/nonexistent/corpus.jsonl' });
    const result = await broken.call({ query: 'mars' }, toolContext());
    expect(result).toMatchObject({ ok: false, error: 'unavailable' });
    expect(result.observation).toMatch(/cannot be read/);
  });

  it('times out with a timeout observation, and tells the work to stop', async () => {
    let stopped = false;
    const result = await guardedToolCall('search', toolContext({ timeoutMs: 20 }), (signal) => {
      signal.addEventListener('abort', () => (stopped = true));
      return new Promise(() => undefined);
    });
    expect(result).toEqual({ ok: false, error: 'timeout', observation: 'search: no result within 20 ms; try a simpler request' });
    expect(stopped).toBe(true);
  });

  it('turns a crash of the work into a crash observation', async () => {
    const result = await guardedToolCall('search', toolContext(), async () => {
      throw new Error('disk on fire');
    });
    expect(result).toEqual({ ok: false, error: 'crash', observation: 'search: disk on fire' });
  });

  it('refuses a call whose signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await search.call({ query: 'mars' }, toolContext({ signal: controller.signal }));
    expect(result).toMatchObject({ ok: false, error: 'aborted' });
  });
});

describe('index persistence and sharing', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tirl-bm25-'));
    clearIndexCache();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('builds once, saves JSON, reloads it in a fresh process cache, and rebuilds when the corpus changes', async () => {
    const corpusPath = join(dir, 'c.jsonl');
    const indexPath = join(dir, 'index', 'bm25.json');
    writeFileSync(corpusPath, readFileSync(demoCorpusPath, 'utf8'));
    const request = { source: { corpusPath }, params: { k1: 1.2, b: 0.75 }, indexPath };
    const first = await loadIndex(request);
    expect(first.origin).toBe('built');
    expect(existsSync(indexPath)).toBe(true);
    expect(JSON.parse(readFileSync(indexPath, 'utf8')).format).toBe('tirl-bm25/1');
    expect((await loadIndex(request)).origin).toBe('cached');
    clearIndexCache();
    const reloaded = await loadIndex(request);
    expect(reloaded.origin).toBe('loaded');
    expect(reloaded.index.search('gas giant storm')).toEqual(first.index.search('gas giant storm'));
    writeFileSync(corpusPath, '{"id":"only","text":"gas giant"}\n');
    clearIndexCache();
    const rebuilt = await loadIndex(request);
    expect(rebuilt.origin).toBe('built');
    expect(rebuilt.index.search('gas giant').map((h) => h.doc.id)).toEqual(['only']);
  });

  it('rebuilds over a corrupt index file', async () => {
    const indexPath = join(dir, 'bm25.json');
    writeFileSync(indexPath, '{ not json');
    const loaded = await loadIndex({ source: { corpusPath: demoCorpusPath }, params: { k1: 1.2, b: 0.75 }, indexPath });
    expect(loaded.origin).toBe('built');
    expect(JSON.parse(readFileSync(indexPath, 'utf8')).format).toBe('tirl-bm25/1');
  });

  it('lets search and open over one corpus share one index', async () => {
    const docs = [{ id: 'a', title: 'Alpha', text: 'alpha text', url: 'https://x.org/a' }];
    const search = make(searchTool, { docs });
    const open = make(openTool, { docs });
    await search.call({ query: 'alpha' }, toolContext());
    const before = await loadIndex({ source: { docs }, params: { k1: 1.2, b: 0.75 } });
    expect(before.origin).toBe('cached');
    expect((await open.call({ id: 'a' }, toolContext())).ok).toBe(true);
  });
});

describe('tool/open', () => {
  const text = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' '); // 60 words, 409 characters
  const docs = [
    { id: 'long', title: 'Long', text, url: 'https://x.org/long' },
    { id: 'leak', title: 'Leak', text: 'the answer', url: 'https://huggingface.co/datasets/x' },
  ];
  const open = make(openTool, { docs, pageChars: 100, blocklist: ['huggingface.co/datasets'] });

  it('pages through a document and continues from the last page of this trajectory', async () => {
    const first = await open.call({ id: 'long' }, toolContext());
    expect(first.ok).toBe(true);
    // "Long\n\n" + 409 characters = 415 characters in pages of at most 100 cut at spaces: 5 pages.
    expect(first.data).toEqual({ id: 'long', url: 'https://x.org/long', page: 1, pages: 5 });
    expect(first.observation).toMatch(/^Long \(id: long, url: https:\/\/x\.org\/long\) page 1 of 5\nLong\n\nword0 word1/);
    expect((await open.call({ id: 'long' }, toolContext())).data).toMatchObject({ page: 2 });
    expect((await open.call({ id: 'long' }, toolContext({ trajectoryId: 't2' }))).data).toMatchObject({ page: 1 });
    expect((await open.call({ url: 'https://x.org/long', page: 5 }, toolContext())).data).toMatchObject({ page: 5 });
    expect((await open.call({ id: 'long' }, toolContext())).data).toMatchObject({ page: 5 }); // stays on the last page
    await open.release!('t1');
    expect((await open.call({ id: 'long' }, toolContext())).data).toMatchObject({ page: 1 });
  });

  it('joins the pages back into the whole document', async () => {
    const pages: string[] = [];
    for (let page = 1; page <= 5; page++) {
      const result = await open.call({ id: 'long', page }, toolContext({ trajectoryId: 'join' }));
      pages.push(result.observation.slice(result.observation.indexOf('\n') + 1));
    }
    expect(pages.join('')).toBe(`Long\n\n${text}`);
    expect(pages.every((p) => p.length <= 100)).toBe(true);
  });

  it.each([
    [{ id: 'nope' }, 'not-found', /no document with id "nope"/],
    [{ url: 'https://x.org/nope' }, 'not-found', /no document with url/],
    [{ id: 'leak' }, 'refused', /is blocked/],
    [{ id: 'long', page: 6 }, 'out-of-range', /page 6 does not exist; "long" has 5 page/],
    [{ id: 'long', page: 0 }, 'schema', /page: /],
    [{ id: 'long', url: 'https://x.org/long' }, 'schema', /exactly one of id or url/],
    [{}, 'schema', /exactly one of id or url/],
  ])('answers %j with a %s observation', async (args, error, message) => {
    const result = await open.call(args, toolContext());
    expect(result).toMatchObject({ ok: false, error });
    expect(result.observation).toMatch(message);
  });
});
