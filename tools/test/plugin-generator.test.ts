import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import type { Tree } from '@nx/devkit';
import pluginGenerator from '../generators/plugin/generator';

const schema = { package: 'my-rewards', kind: 'reward', name: 'length-bonus', summary: 'Bonus for short answers.' };

describe('plugin generator', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));

  it('scaffolds a new package: definition, index with plugins, contract test, README row, changeset', async () => {
    await pluginGenerator(tree, schema);
    const definition = tree.read('packages/my-rewards/src/reward/length-bonus.ts', 'utf-8')!;
    expect(definition).toContain("kind: 'reward'");
    expect(definition).toContain("name: 'length-bonus'");
    expect(definition).toContain("summary: 'Bonus for short answers'");
    expect(definition).toContain('.strict()');
    expect(definition).toContain('score: () =>');
    expect(tree.read('packages/my-rewards/src/index.ts', 'utf-8')).toContain('export const plugins = [lengthBonus];');
    expect(tree.read('packages/my-rewards/test/length-bonus.test.ts', 'utf-8')).toContain('describePlugin(lengthBonus,');
    expect(tree.read('packages/my-rewards/README.md', 'utf-8')).toContain('| `reward/length-bonus` | Bonus for short answers |');
    expect(tree.read('.changeset/my-rewards-length-bonus.md', 'utf-8')).toContain('"@tirl/my-rewards": minor');
    expect(JSON.parse(tree.read('packages/my-rewards/package.json', 'utf-8')!)).toMatchObject({ name: '@tirl/my-rewards', nx: { tags: ['type:plugin'] } });
  });

  it('adds a second plugin to an existing package: index list and README table grow', async () => {
    await pluginGenerator(tree, schema);
    await pluginGenerator(tree, { package: 'my-rewards', kind: 'filter', name: 'keep-long', summary: 'Keeps long groups' });
    const index = tree.read('packages/my-rewards/src/index.ts', 'utf-8')!;
    expect(index).toContain("export { keepLong } from './filter/keep-long';");
    expect(index).toContain('export const plugins = [lengthBonus, keepLong];');
    const rows = tree.read('packages/my-rewards/README.md', 'utf-8')!.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toEqual([expect.stringContaining('reward/length-bonus'), expect.stringContaining('filter/keep-long')]);
    expect(tree.read('packages/my-rewards/src/filter/keep-long.ts', 'utf-8')).toContain('filter: () =>');
  });

  it('refuses an unknown kind and an existing plugin, naming them', async () => {
    await expect(pluginGenerator(tree, { ...schema, kind: 'rewards' })).rejects.toThrow(/unknown kind "rewards"; known: advantage/);
    await pluginGenerator(tree, schema);
    await expect(pluginGenerator(tree, schema)).rejects.toThrow(/length-bonus\.ts already exists/);
  });
});
