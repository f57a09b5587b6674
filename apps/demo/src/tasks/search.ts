import { Rng, type Sample } from '@tirl/core';
import { madeUpNames } from './names';
import { callArgument, lastObservation, type DemoTask } from './types';
import { docId } from './doc-ids';

export interface SearchTaskOptions {
  seed: number;
  /** Entities in the knowledge base. */
  entities: number;
  /** Entities held out for evaluation (at most a quarter of them, at least one). */
  heldOut: number;
}

interface Entity {
  name: string;
  capital: string;
}

/**
 * A made-up knowledge base: every entity has a capital, written only in the corpus, so a question
 * "Capital of X?" is answerable only by searching. Train and held-out sets share no entity.
 */
export function searchTask(o: SearchTaskOptions): DemoTask {
  const rng = new Rng(o.seed).fork('search-task');
  // Fixed-length names (three consonant-vowel syllables): the name to copy always sits the same number of
  // tokens back, which a tiny model learns far sooner than copying at a variable distance.
  const names = madeUpNames(rng, o.entities, 3, new Set(), false);
  // Two-syllable capitals (four characters): less to copy per answer.
  const capitals = madeUpNames(rng, o.entities, 2, new Set(names), false);
  const entities: Entity[] = names.map((name, i) => ({ name, capital: capitals[i] }));
  // Short documents with the answer first: the observation the model copies from stays a few dozen bytes.
  const docs = entities.map((e, i) => ({ id: docId('d', i, entities.length), title: e.name, text: `capital ${e.capital}` }));
  const samples: Sample[] = entities.map((e, i) => ({
    id: `q${i}`,
    messages: [{ role: 'user', content: `Capital of ${e.name}?` }],
    answer: e.capital,
    meta: { entity: e.name },
  }));
  const heldOutCount = Math.max(1, Math.min(o.heldOut, Math.floor(o.entities / 4)));
  return {
    name: 'search',
    train: samples.slice(heldOutCount),
    heldOut: samples.slice(0, heldOutCount),
    toolPlugins: [
      ['toolFormat/xml-tags-compact', { tags: ['search'] }],
      ['tool/search', { docs, k: 1, snippetChars: 20 }],
    ],
    teacher: searchTeacher,
    isFaithfulCall: (s, args) => callArgument(args).toLowerCase().includes(String(s.meta?.entity ?? '').toLowerCase()),
  };
}

/** Search the entity the question names, then answer with the capital the result gives. */
function searchTeacher(context: string): string {
  const found = lastObservation(context)?.match(/capital ([A-Za-z]+)/);
  if (found) return `<answer>${found[1]}</answer>`;
  const entity = context.match(/Capital of ([A-Za-z]+)\?/);
  if (!entity) throw new Error('demo: the search teacher found no "Capital of X?" question in its context');
  return `<search>${entity[1]}</search>`;
}
