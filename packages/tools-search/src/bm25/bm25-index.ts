import MiniSearch from 'minisearch';
import type { CorpusDoc } from './corpus';

/** Okapi BM25 constants: `k1` saturates term frequency, `b` normalises by document length. */
export interface Bm25Params {
  k1: number;
  b: number;
}

export interface SearchHit {
  doc: CorpusDoc;
  /** Okapi BM25 score of the document for the query. */
  score: number;
}

const FIELD = 'content';

/**
 * A BM25 index over title + text, one field. MiniSearch's own score differs from Okapi BM25 in three ways: it
 * is BM25+ (`d = 0.5`), it multiplies by the number of matched query terms, and it takes a document's length
 * as its number of DISTINCT raw tokens. Here `d = 0`, the factor is divided out and the length is the number
 * of indexed terms (see `OkapiMiniSearch`), so the score is exactly
 * Σ_t idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·|d|/avgdl)), idf(t) = ln(1 + (N − n_t + 0.5)/(n_t + 0.5)).
 */
export class Bm25Index {
  private readonly byId = new Map<string, CorpusDoc>();
  private readonly byUrl = new Map<string, CorpusDoc>();

  private constructor(
    readonly docs: readonly CorpusDoc[],
    readonly params: Bm25Params,
    private readonly engine: MiniSearch,
  ) {
    for (const doc of docs) {
      this.byId.set(doc.id, doc);
      if (doc.url !== '' && !this.byUrl.has(doc.url)) this.byUrl.set(doc.url, doc);
    }
  }

  static build(docs: readonly CorpusDoc[], params: Bm25Params): Bm25Index {
    const engine = new OkapiMiniSearch(engineOptions(params));
    engine.addAll(docs.map((doc) => ({ id: doc.id, [FIELD]: `${doc.title}\n${doc.text}` })));
    return new Bm25Index(docs, params, engine);
  }

  /** Restores an index saved with `toJSON`. */
  static fromJSON(docs: readonly CorpusDoc[], params: Bm25Params, engineJson: unknown): Bm25Index {
    const engine = OkapiMiniSearch.loadJS(engineJson as Parameters<typeof MiniSearch.loadJS>[0], engineOptions(params));
    return new Bm25Index(docs, params, engine);
  }

  toJSON(): unknown {
    return this.engine.toJSON();
  }

  /** Query terms as the index sees them (lower-cased words, each once). */
  terms(query: string): string[] {
    return [...new Set(indexedTerms(query))];
  }

  /** All documents that match at least one query term, best first, with their exact BM25 scores. */
  search(query: string): SearchHit[] {
    const terms = this.terms(query);
    if (terms.length === 0) return [];
    return this.engine
      .search(terms.join(' '), { combineWith: 'OR', prefix: false, fuzzy: false })
      .map((r) => ({ doc: this.byId.get(String(r.id))!, score: r.score / Math.max(1, r.queryTerms.length) }))
      .sort((a, b) => b.score - a.score || a.doc.id.localeCompare(b.doc.id));
  }

  get(id: string): CorpusDoc | undefined {
    return this.byId.get(id);
  }

  getByUrl(url: string): CorpusDoc | undefined {
    return this.byUrl.get(url);
  }
}

function engineOptions(params: Bm25Params) {
  return {
    fields: [FIELD],
    storeFields: [],
    searchOptions: { bm25: { k: params.k1, b: params.b, d: 0 } },
  };
}

/** The terms MiniSearch indexes for a text (default tokenizer, lower-cased, empty terms dropped). */
function indexedTerms(text: string): string[] {
  const tokenize = MiniSearch.getDefault('tokenize') as (text: string) => string[];
  const processTerm = MiniSearch.getDefault('processTerm') as (term: string) => string | null | undefined | false;
  return tokenize(text).map((t) => processTerm(t)).filter((t): t is string => typeof t === 'string' && t !== '');
}

/**
 * MiniSearch with Okapi document lengths: `add` counts the document's indexed terms and the internal
 * `addFieldLength` hook (called by `add` with the distinct-token count) records that count instead. The
 * lengths are saved with the index, so a loaded index scores the same. The BM25 tests guard this hook.
 */
class OkapiMiniSearch extends MiniSearch {
  private okapiLength = 0;

  override add(document: any): void {
    this.okapiLength = indexedTerms(String((document as Record<string, unknown>)[FIELD] ?? '')).length;
    super.add(document);
  }
}

const base = MiniSearch.prototype as unknown as Record<string, (...args: unknown[]) => void>;
(OkapiMiniSearch.prototype as unknown as Record<string, unknown>).addFieldLength = function addFieldLength(
  this: { okapiLength: number },
  documentId: unknown,
  fieldId: unknown,
  count: unknown,
) {
  base.addFieldLength.call(this, documentId, fieldId, count, this.okapiLength);
};
