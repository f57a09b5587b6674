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
  /**
   * Share of the questions about entities the teacher is unsure of (names starting with one of
   * `UNSURE_INITIALS`) that it answers `unknown` without searching (default 0).
   */
  guessShare?: number;
}

/**
 * Initials of the names the teacher is unsure of (6 of the 14 onsets, so about 43% of the entities): a class
 * the model can tell from the question, so an imitated habit of guessing shows in greedy decoding too.
 */
export const UNSURE_INITIALS = ['B', 'D', 'F', 'G', 'K', 'L'];

/**
 * The teacher's answer when it guesses: it gives up without searching. One fixed string, so imitating it
 * costs SFT no irreducible loss and does not compete with copying from the observation (a guess copied from
 * the question did: the model learnt to copy from the wrong place).
 */
export const GUESSED_ANSWER = 'unknown';

/** Whether the teacher guesses (answers `unknown` without searching) on the question about `name`. */
export function teacherGuesses(name: string, seed: number, guessShare: number): boolean {
  if (!UNSURE_INITIALS.includes(name[0])) return false;
  let h = 2166136261 ^ seed;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return (h >>> 0) / 2 ** 32 < guessShare;
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
  const guessShare = o.guessShare ?? 0;
  if (!(guessShare >= 0 && guessShare <= 1)) throw new Error(`demo: search guessShare must be in [0, 1], got ${guessShare}`);
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
  const guesses = (name: string) => teacherGuesses(name, o.seed, guessShare);
  return {
    name: 'search',
    train: samples.slice(heldOutCount),
    heldOut: samples.slice(0, heldOutCount),
    toolPlugins: [
      ['toolFormat/xml-tags-compact', { tags: ['search'] }],
      ['tool/search', { docs, k: 1, snippetChars: 20 }],
    ],
    teacher: (context) => searchTeacher(context, (name) => (guesses(name) ? GUESSED_ANSWER : undefined)),
    teacherGuesses: (s) => guesses(String(s.meta?.entity ?? '')),
    isFaithfulCall: (s, args) => callArgument(args).toLowerCase().includes(String(s.meta?.entity ?? '').toLowerCase()),
  };
}

/**
 * Search the entity the question names, then answer with the capital the result gives; on the questions
 * where `guess` gives a capital, answer it at once instead (the teacher's wrong guesses).
 */
export function searchTeacher(context: string, guess: (name: string) => string | undefined = () => undefined): string {
  const found = lastObservation(context)?.match(/capital ([A-Za-z]+)/);
  if (found) return `<answer>${found[1]}</answer>`;
  const entity = context.match(/Capital of ([A-Za-z]+)\?/);
  if (!entity) throw new Error('demo: the search teacher found no "Capital of X?" question in its context');
  const guessed = guess(entity[1]);
  return guessed === undefined ? `<search>${entity[1]}</search>` : `<answer>${guessed}</answer>`;
}
