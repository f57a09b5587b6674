import { readFileSync } from 'node:fs';
import { TirlError } from '@tirl/core';
import { z } from 'zod';

/** One document of a search corpus (a JSONL line). */
export interface CorpusDoc {
  id: string;
  title: string;
  text: string;
  url: string;
}

export const corpusDocSchema = z
  .object({
    id: z.union([z.string().min(1), z.number()]).transform(String),
    title: z.string().default(''),
    text: z.string(),
    url: z.string().default(''),
  })
  .strip();

/** Parses a JSONL corpus; a bad line or a duplicate id throws with its line number. */
export function parseCorpus(jsonl: string, origin: string): CorpusDoc[] {
  const docs: CorpusDoc[] = [];
  const lines = jsonl.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      throw new TirlError(`${origin}:${i + 1}: not JSON (${(error as Error).message}); each line must be one document object`, 'invalid-data');
    }
    docs.push(checkDoc(raw, `${origin}:${i + 1}`));
  }
  return checkUnique(docs, origin);
}

export function readCorpus(path: string): { docs: CorpusDoc[]; text: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TirlError(`Search corpus "${path}" cannot be read (${(error as Error).message}); set corpusPath to a JSONL file`, 'invalid-data');
  }
  return { docs: parseCorpus(text, path), text };
}

/** Validates inline documents. */
export function checkDocs(raw: readonly unknown[], origin: string): CorpusDoc[] {
  return checkUnique(raw.map((doc, i) => checkDoc(doc, `${origin}[${i}]`)), origin);
}

function checkDoc(raw: unknown, where: string): CorpusDoc {
  const parsed = corpusDocSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(doc)'}: ${issue.message}`).join('; ');
    throw new TirlError(`${where}: bad document (${problems}); expected { id, title?, text, url? }`, 'invalid-data');
  }
  return parsed.data;
}

function checkUnique(docs: CorpusDoc[], origin: string): CorpusDoc[] {
  const seen = new Set<string>();
  for (const doc of docs) {
    if (seen.has(doc.id)) throw new TirlError(`${origin}: duplicate document id "${doc.id}"; ids must be unique`, 'invalid-data');
    seen.add(doc.id);
  }
  return docs;
}
