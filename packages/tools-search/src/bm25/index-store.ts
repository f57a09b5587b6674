import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Bm25Index, type Bm25Params } from './bm25-index';
import { checkDocs, readCorpus, type CorpusDoc } from './corpus';

/** Where the documents come from: a JSONL file or inline documents (tests). */
export type CorpusSource = { corpusPath: string; docs?: undefined } | { corpusPath?: undefined; docs: readonly unknown[] };

export interface IndexRequest {
  source: CorpusSource;
  params: Bm25Params;
  /** JSON file the index is saved to after a build and loaded from when it matches the corpus. */
  indexPath?: string;
}

export interface LoadedIndex {
  index: Bm25Index;
  /** `built` from the corpus, `loaded` from the index file, or `cached` in this process. */
  origin: 'built' | 'loaded' | 'cached';
}

const FORMAT = 'tirl-bm25/1';

/**
 * Indexes shared in this process, keyed by corpus, BM25 constants and index file: several tools over one
 * corpus build it once. Entries hold data only, never plugins.
 */
const shared = new Map<string, Promise<Bm25Index>>();

/** Loads (or builds, then saves) the index of a corpus; several callers share one build. */
export async function loadIndex(request: IndexRequest): Promise<LoadedIndex> {
  const key = cacheKey(request);
  const existing = shared.get(key);
  if (existing) return { index: await existing, origin: 'cached' };
  let origin: LoadedIndex['origin'] = 'built';
  const pending = Promise.resolve().then(() => {
    const result = openIndex(request);
    origin = result.origin;
    return result.index;
  });
  shared.set(key, pending);
  try {
    return { index: await pending, origin };
  } catch (error) {
    shared.delete(key);
    throw error;
  }
}

/** Forgets the indexes held in this process (files stay). */
export function clearIndexCache(): void {
  shared.clear();
}

function openIndex(request: IndexRequest): LoadedIndex {
  const { docs, fingerprint } = readSource(request);
  if (request.indexPath && existsSync(request.indexPath)) {
    const saved = readSaved(request.indexPath);
    if (saved && saved.fingerprint === fingerprint) {
      return { index: Bm25Index.fromJSON(docs, request.params, saved.index), origin: 'loaded' };
    }
  }
  const index = Bm25Index.build(docs, request.params);
  if (request.indexPath) save(request.indexPath, { format: FORMAT, fingerprint, index: index.toJSON() });
  return { index, origin: 'built' };
}

function readSource(request: IndexRequest): { docs: CorpusDoc[]; fingerprint: string } {
  const hash = createHash('sha256').update(FORMAT).update(JSON.stringify(request.params));
  if (request.source.corpusPath !== undefined) {
    const { docs, text } = readCorpus(request.source.corpusPath);
    return { docs, fingerprint: hash.update(text).digest('hex') };
  }
  const docs = checkDocs(request.source.docs, 'docs');
  return { docs, fingerprint: hash.update(JSON.stringify(docs)).digest('hex') };
}

interface SavedIndex {
  format: string;
  fingerprint: string;
  index: unknown;
}

function readSaved(path: string): SavedIndex | undefined {
  try {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedIndex;
    return saved.format === FORMAT ? saved : undefined;
  } catch {
    return undefined; // an unreadable or stale file is rebuilt and overwritten
  }
}

function save(path: string, saved: SavedIndex): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(saved));
  renameSync(temporary, path);
}

function cacheKey(request: IndexRequest): string {
  const corpus = request.source.corpusPath !== undefined
    ? `file:${resolve(request.source.corpusPath)}`
    : `inline:${createHash('sha256').update(JSON.stringify(request.source.docs)).digest('hex')}`;
  return JSON.stringify([corpus, request.params, request.indexPath ? resolve(request.indexPath) : null]);
}
