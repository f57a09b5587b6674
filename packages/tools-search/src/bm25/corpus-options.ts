import { z } from 'zod';
import type { IndexRequest } from './index-store';

/** Options every tool over a local corpus shares; tools with equal values share one index. */
export const corpusOptionShape = {
  /** JSONL corpus, one `{ id, title, text, url }` per line. Give this or `docs`. */
  corpusPath: z.string().min(1).optional(),
  /** Inline documents instead of a file (tests, tiny corpora). */
  docs: z.array(z.record(z.string(), z.unknown())).optional(),
  /** JSON file the index is saved to and reloaded from; rebuilt when the corpus or constants change. */
  indexPath: z.string().min(1).optional(),
  /** Okapi BM25 constants (Robertson & Zaragoza 2009 recommend k1 ∈ [1.2, 2], b = 0.75). */
  bm25: z
    .object({ k1: z.number().positive().default(1.2), b: z.number().min(0).max(1).default(0.75) })
    .strict()
    .default({ k1: 1.2, b: 0.75 }),
  /** URL patterns whose documents are never returned or opened (`*` is a wildcard), e.g. `huggingface.co/datasets`. */
  blocklist: z.array(z.string().min(1)).default([]),
};

type CorpusOptions = { corpusPath?: string; docs?: readonly unknown[] };

/** Exactly one corpus source; the message names `corpusPath`. */
export function checkCorpusSource(options: CorpusOptions, ctx: z.RefinementCtx): void {
  const given = Number(options.corpusPath !== undefined) + Number(options.docs !== undefined);
  if (given !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['corpusPath'],
      message: given === 0 ? 'give corpusPath (a JSONL file) or docs (inline documents)' : 'give corpusPath or docs, not both',
    });
  }
}

export function indexRequest(options: CorpusOptions & { indexPath?: string; bm25: { k1: number; b: number } }): IndexRequest {
  const source = options.corpusPath !== undefined ? { corpusPath: options.corpusPath } : { docs: options.docs ?? [] };
  return { source, params: { k1: options.bm25.k1, b: options.bm25.b }, indexPath: options.indexPath };
}
