import type { Rng } from '@tirl/core';

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z'];
const VOWELS = ['a', 'e', 'i', 'o', 'u'];
const CODAS = ['', '', 'n', 'l', 'r', 's'];

function syllable(rng: Rng, coda: boolean): string {
  const pick = <T>(xs: readonly T[]) => xs[rng.int(xs.length)];
  return pick(ONSETS) + pick(VOWELS) + (coda ? pick(CODAS) : '');
}

/**
 * `count` distinct capitalised made-up names of `syllables` syllables each; without codas every
 * syllable is consonant + vowel, so all names have the same length.
 */
export function madeUpNames(rng: Rng, count: number, syllables: number, avoid: ReadonlySet<string> = new Set(), codas = true): string[] {
  const seen = new Set(avoid);
  const out: string[] = [];
  while (out.length < count) {
    const raw = Array.from({ length: syllables }, () => syllable(rng, codas)).join('');
    const name = raw[0].toUpperCase() + raw.slice(1);
    if (seen.has(name)) continue;
    seen.add(name);
    out.push(name);
  }
  return out;
}

/** Every capitalised name of `syllables` consonant-vowel syllables, in a fixed order. */
export function allPlainNames(syllables: number): string[] {
  let names = [''];
  for (let i = 0; i < syllables; i++) names = names.flatMap((n) => ONSETS.flatMap((c) => VOWELS.map((v) => n + c + v)));
  return names.map((n) => n[0].toUpperCase() + n.slice(1));
}
