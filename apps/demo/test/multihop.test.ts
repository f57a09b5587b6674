import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteTokenizer } from '@tirl/policy';
import { runMatpoComparison } from '../src/compare';
import { ACCURACY, buildRecipe, DEFAULT_OPTIONS, type DemoOptions } from '../src/demo';
import { demonstrationTraces } from '../src/sft';
import { tempDirPerTest, tinyRun } from './tiny-run';
import { multihopTask, multihopTeacher } from '../src/tasks/multihop';

type Doc = { id: string; title: string; text: string };
const docsOf = (task: ReturnType<typeof multihopTask>): Doc[] => (task.toolPlugins.find(([id]) => id === 'tool/search')![1] as { docs: Doc[] }).docs;

describe('multihop task', () => {
  const task = multihopTask({ seed: 5, entities: 300, heldOut: 40, agents: 'single' });

  it('chains country → capital → mayor through the documents, with unique capitals and no shared country', () => {
    const docs = docsOf(task);
    const byTitle = new Map<string, Doc[]>();
    for (const d of docs) byTitle.set(d.title, [...(byTitle.get(d.title) ?? []), d]);
    for (const [, ds] of byTitle) expect(ds).toHaveLength(1); // every title (country or capital) is unique
    for (const s of [...task.train, ...task.heldOut]) {
      const country = /Mayor of capital of ([A-Za-z]+)\?/.exec(String(s.messages[0].content))![1];
      const capital = /^capital ([A-Za-z]+)$/.exec(byTitle.get(country)![0].text)![1];
      const mayor = /^mayor ([A-Za-z]+)$/.exec(byTitle.get(capital)![0].text)![1];
      expect(s.answer).toBe(mayor);
      expect(s.meta?.capital).toBe(capital);
    }
    expect(task.heldOut).toHaveLength(40);
    expect(task.train).toHaveLength(260);
    const trainCountries = new Set(task.train.map((s) => s.meta?.entity));
    expect(task.heldOut.some((s) => trainCountries.has(s.meta?.entity))).toBe(false);
    expect(multihopTask({ seed: 5, entities: 300, heldOut: 40, agents: 'single' }).train[7]).toEqual(task.train[7]);
  });

  it('teaches each role its next step from the context', () => {
    const q = '<|user|>Mayor of capital of Pureti?<|eos|><|assistant|>';
    expect(multihopTeacher(`Tools: <search>…</search>${q}`)).toBe('<search>capital Pureti</search>');
    expect(multihopTeacher(`Tools: <delegate>…</delegate>${q}`)).toBe('<delegate>capital Pureti</delegate>');
    const oneHop = `Tools: <search>…</search>${q}<search>capital Pureti</search>\n<result>\n[1] Pureti (id: c3)\ncapital Nake\n</result>\n`;
    expect(multihopTeacher(oneHop)).toBe('<search>mayor Nake</search>');
    expect(multihopTeacher(`${oneHop}<search>mayor Nake</search>\n<result>\n[1] Nake (id: t3)\nmayor Sobi\n</result>\n`)).toBe('<answer>Sobi</answer>');
    const worker = 'Worker.\n\nTools: <search>…</search><|user|>mayor Nake<|eos|><|assistant|>';
    expect(multihopTeacher(worker)).toBe('<search>mayor Nake</search>');
    expect(multihopTeacher(`${worker}<search>mayor Nake</search>\n<result>\n[1] Nake (id: t3)\nmayor Sobi\n</result>\n`)).toBe('<answer>Sobi</answer>');
  });

  it('records correct single-agent and planner/worker demonstrations through the rollout engine and the real search tool', async () => {
    const o: DemoOptions = { ...DEFAULT_OPTIONS, verbose: false };
    const tokenizer = new ByteTokenizer();
    const single = await demonstrationTraces(buildRecipe('grpo', task, o), task, tokenizer, task.train.slice(0, 6), ACCURACY);
    expect(single).toHaveLength(6);
    for (const t of single) expect(t.segments.at(-1)!.tokenIds.at(-1)).toBe(tokenizer.eosTokenId);
    for (const t of single) expect(t.toolCalls.map((c) => c.ok)).toEqual([true, true]);
    const matpoTask = multihopTask({ seed: 5, entities: 300, heldOut: 40, agents: 'matpo' });
    const matpo = await demonstrationTraces(buildRecipe('matpo', matpoTask, o, 'evaluate'), matpoTask, tokenizer, matpoTask.train.slice(0, 6), ACCURACY);
    expect(matpo.filter((t) => t.role === 'planner')).toHaveLength(6);
    expect(matpo.filter((t) => t.role === 'worker')).toHaveLength(12);
    const first = matpo.filter((t) => t.rootId === matpo[0].rootId);
    const planner = first.find((t) => t.role === 'planner')!;
    const capital = String(matpoTask.train[0].meta?.capital);
    expect(planner.toolCalls.map((c) => c.args)).toEqual([{ subtask: `capital ${String(matpoTask.train[0].meta?.entity)}` }, { subtask: `mayor ${capital}` }]);
  });

  it('refuses to record demonstrations with a recipe that does not score accuracy', async () => {
    const otcTrain = buildRecipe('otc-po', task, { ...DEFAULT_OPTIONS, verbose: false });
    await expect(demonstrationTraces(otcTrain, task, new ByteTokenizer(), task.train.slice(0, 2), ACCURACY)).rejects.toThrow(
      /recipe "otc-po" does not score reward\/exact-match/,
    );
  });

  it('refuses the matpo recipe for a task without planner and workers', () => {
    expect(() => buildRecipe('matpo', task, DEFAULT_OPTIONS)).toThrow(/--task matpo/);
  });
});

describe('MATPO vs single agent (task "matpo")', () => {
  const tempDir = tempDirPerTest('tirl-compare-');

  it('warm-starts one model, trains a copy per system and reports both with finite metrics', async () => {
    const dir = tempDir();
    const result = await runMatpoComparison(tinyRun(dir, { task: 'matpo', sftSteps: 2, steps: 1, entities: 12, heldOut: 3 }));
    expect(result.sftLosses.every(Number.isFinite)).toBe(true);
    for (const r of [result.single, result.matpo]) {
      expect(r.rlHistory).toHaveLength(1);
      expect(Number.isFinite(r.rlHistory[0]['loss/total'])).toBe(true);
      expect(r.before.answers).toBe(3);
      expect(r.after.answers).toBe(3);
    }
    const summary = JSON.parse(readFileSync(join(dir, 'report', 'summary.json'), 'utf8')) as { systems: { key: string; recipe: string }[] };
    expect(summary.systems.map((s) => [s.key, s.recipe])).toEqual([['single', 'grpo'], ['matpo', 'matpo']]);
    for (const f of ['compare.png', 'index.html', 'single/reward_mean.png', 'matpo/reward_mean.png']) expect(existsSync(join(dir, 'report', f))).toBe(true);
  }, 90000);

  it('trains the single agent on the method reward and still records and evaluates by exact match', async () => {
    const result = await runMatpoComparison(tinyRun(tempDir(), { task: 'matpo', recipe: 'otc-po', sftSteps: 2, steps: 1, entities: 12, heldOut: 3 }));
    expect(result.single.recipe).toBe('otc-po');
    expect('reward/otc' in result.single.rlHistory[0]).toBe(true);
    expect(result.single.before.answers).toBe(3);
    expect(result.single.after.answers).toBe(3);
  }, 90000);
});
