import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import type { Tree } from '@nx/devkit';
import { KINDS, registerKind } from '@tirl/core';
import { KIND_TEMPLATES } from '@tirl/create-plugin';
import pluginGenerator, { generatePlugin } from '../generators/plugin/generator';

const schema = { package: 'my-rewards', kind: 'reward', name: 'length-bonus', summary: 'Bonus for short answers.' };

describe('plugin generator', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));

  it('scaffolds a new package: definition, index with plugins, kit test, README row, changeset', async () => {
    await pluginGenerator(tree, schema);
    const definition = tree.read('packages/my-rewards/src/rewards/length-bonus.ts', 'utf-8')!;
    expect(definition).toContain("kind: 'reward'");
    expect(definition).toContain("name: 'length-bonus'");
    expect(definition).toContain("summary: 'Bonus for short answers'");
    expect(definition).toContain('.strict()');
    expect(definition).toContain('score: (');
    expect(tree.read('packages/my-rewards/src/index.ts', 'utf-8')).toContain('export const plugins: readonly AnyPluginDefinition[] = [lengthBonus];');
    const test = tree.read('packages/my-rewards/test/length-bonus.test.ts', 'utf-8')!;
    expect(test).toContain('runRewardKit(lengthBonus,');
    expect(test).toContain("from '../src/rewards/length-bonus'");
    expect(tree.read('packages/my-rewards/README.md', 'utf-8')).toContain('| `reward/length-bonus` | Bonus for short answers |');
    expect(tree.read('.changeset/my-rewards-length-bonus.md', 'utf-8')).toContain('"@tirl/my-rewards": minor');
    expect(JSON.parse(tree.read('packages/my-rewards/package.json', 'utf-8')!)).toMatchObject({ name: '@tirl/my-rewards', nx: { tags: ['type:plugin'] } });
  });

  it("writes into the package's own folder for the kind (clipping keeps objectives in src/objectives/)", async () => {
    const real = join(__dirname, '..', '..', 'packages', 'clipping');
    for (const f of ['package.json', 'src/index.ts', 'src/objectives/ppo-clip.ts', 'src/objectives/gspo.ts', 'src/aggregations/token-mean.ts']) {
      tree.write(`packages/clipping/${f}`, readFileSync(join(real, f), 'utf8'));
    }
    await pluginGenerator(tree, { package: 'clipping', kind: 'objective', name: 'my-clip', summary: 'A clip' });
    await pluginGenerator(tree, { package: 'clipping', kind: 'aggregation', name: 'my-mean', summary: 'A mean' });
    expect(tree.exists('packages/clipping/src/objectives/my-clip.ts')).toBe(true);
    expect(tree.exists('packages/clipping/src/objective/my-clip.ts')).toBe(false);
    expect(tree.exists('packages/clipping/src/aggregations/my-mean.ts')).toBe(true);
    expect(tree.read('packages/clipping/src/index.ts', 'utf-8')).toContain("export { myClip } from './objectives/my-clip';");
    expect(tree.read('packages/clipping/test/my-clip.test.ts', 'utf-8')).toContain("import { myClip } from '../src/objectives/my-clip';");
  });

  it('adds a second plugin to an existing package: index list and README table grow', async () => {
    await pluginGenerator(tree, schema);
    await pluginGenerator(tree, { package: 'my-rewards', kind: 'filter', name: 'keep-long', summary: 'Keeps long groups' });
    const index = tree.read('packages/my-rewards/src/index.ts', 'utf-8')!;
    expect(index).toContain("export { keepLong } from './filters/keep-long';");
    expect(index).toContain('= [lengthBonus, keepLong];');
    const rows = tree.read('packages/my-rewards/README.md', 'utf-8')!.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toEqual([expect.stringContaining('reward/length-bonus'), expect.stringContaining('filter/keep-long')]);
  });

  it('refuses an unknown kind and an existing plugin, naming them', async () => {
    await expect(pluginGenerator(tree, { ...schema, kind: 'rewards' })).rejects.toThrow(/unknown kind "rewards"; known: advantage/);
    await pluginGenerator(tree, schema);
    await expect(pluginGenerator(tree, schema)).rejects.toThrow(/length-bonus\.ts already exists/);
  });
});

describe('kinds without a scaffold', () => {
  it('are none of the built-in kinds; a kind registered later without one makes the generator name the way forward', () => {
    expect(Object.keys(KINDS).filter((kind) => !KIND_TEMPLATES[kind])).toEqual([]);
    registerKind('thirdPartyKind', { cardinality: 'single', methods: ['run'] });
    expect(() => generatePlugin(createTreeWithEmptyWorkspace(), { package: 'scaffolds', kind: 'thirdPartyKind', name: 'my-thing', summary: 's' })).toThrow(
      /kind "thirdPartyKind" has no scaffold yet; scaffolds exist for advantage, .*referenceSchedule\. .*run its kit from @tirl\/core\/testing/,
    );
  });
});

/**
 * One plugin of every kind is generated onto disk and its generated test file is loaded here, so each
 * scaffold runs its kind's full behavioural kit (shape, option errors, masking, micro-batch, gradients,
 * leaks, determinism ...), not only a shape check.
 */
describe('generated plugins pass their kits', () => {
  const out = join(__dirname, `.generated-${process.pid}`);
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const tree = createTreeWithEmptyWorkspace();
  const tests = Object.keys(KINDS).map((kind) =>
    generatePlugin(tree, { package: 'scaffolds', kind, name: `my-${kind.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, summary: `A ${kind} scaffold` }).test,
  );
  for (const change of tree.listChanges()) {
    if (!change.path.startsWith('packages/scaffolds/') || change.type === 'DELETE' || !change.content) continue;
    const file = join(out, change.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, change.content);
  }
  for (const test of tests) {
    describe(test, () => {
      require(join(out, test));
    });
  }
});
