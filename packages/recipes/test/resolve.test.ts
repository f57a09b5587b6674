import { resolveRecipe } from '@tirl/core';
import { recipes } from '../src';

describe('resolved recipes', () => {
  it.each(recipes.map((r) => r.name))('%s resolves to the snapshotted JSON', (name) => {
    expect(resolveRecipe(name)).toMatchSnapshot();
  });

  it('every recipe but base cites its paper and is reachable through core by name', () => {
    for (const recipe of recipes.filter((r) => r.name !== 'base')) {
      expect(recipe.paper).toEqual({ title: expect.any(String), arxiv: expect.stringMatching(/^\d{4}\.\d{4,5}$/), section: expect.any(String) });
    }
    expect(resolveRecipe('grpo').chain).toEqual(['base', 'grpo']);
  });

  it('names are unique', () => {
    const names = recipes.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
