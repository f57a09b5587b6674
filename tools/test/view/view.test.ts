import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@tirl/core';
import { startViewServer, TRAJECTORY_LOG_FILE, type LoggedTrajectory, type StepTrajectories, type ViewServer } from '@tirl/trainer';
import type { Browser, Page } from 'playwright-core';
import { checkPng, expand, launchChromium, openViewer } from './browser';
import { grpoRun, matpoRecipe, matpoScript, scriptedRun, treeRecipe, treeScript } from './runs';

/*
 * `tirl view` in a real browser (Debian's headless Chromium through playwright-core) on run folders
 * written by short training runs of a tiny model: MATPO (planner/worker trees, tool calls, a failed
 * call), Tree-GRPO (branch nodes) and plain GRPO through train(). Checks go through the DOM; screenshots
 * are decoded and measured. jest.config.js leaves this suite out when chromium is missing.
 */

jest.setTimeout(180_000);
const root = mkdtempSync(join(tmpdir(), 'tirl-view-'));
const shots = process.env.TIRL_VIEW_SCREENSHOTS ?? join(root, 'screenshots');
const dirs = { matpo: join(root, 'matpo'), grpo: join(root, 'grpo'), tree: join(root, 'tree') };
let view: ViewServer;
let browser: Browser;
let page: Page;
let foreign: string[];

const js = <T>(code: string): Promise<T> => page.evaluate(code) as Promise<T>;
/** Polls a page expression until it is true (string predicates through waitForFunction would need eval, which the page's CSP forbids). */
async function until(expression: string, timeoutMs = 20000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await js<boolean>(expression))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const count = (selector: string) => js<number>(`document.querySelectorAll(${JSON.stringify(selector)}).length`);
const logged = (dir: string, line = 0) => JSON.parse(readFileSync(join(dir, TRAJECTORY_LOG_FILE), 'utf8').trim().split('\n')[line]) as StepTrajectories;

async function setValue(id: string, value: string | boolean): Promise<void> {
  await js(`(() => { const e = document.getElementById(${JSON.stringify(id)}); ${typeof value === 'boolean' ? `e.checked = ${value}` : `e.value = ${JSON.stringify(value)}`};
    e.dispatchEvent(new Event('input', { bubbles: true })); e.dispatchEvent(new Event('change', { bubbles: true })); })()`);
}

async function showStep(run: number, step: number): Promise<void> {
  await page.click('#tab-trajectories');
  await setValue('traj-run', String(run));
  await until(`document.querySelectorAll('#traj-step option').length > 0`);
  await setValue('traj-step', String(step));
  await until(`(document.getElementById('filter-count').textContent || '').includes('step ${step}:')`);
}

async function screenshot(name: string): Promise<Buffer> {
  mkdirSync(shots, { recursive: true });
  const png = Buffer.from(await page.screenshot({ fullPage: false }));
  writeFileSync(join(shots, `${name}.png`), png);
  return png;
}

/** Roots of a step that the filters keep, counted from the log file (not from the page). */
function expectedRoots(record: StepTrajectories, keep: (root: LoggedTrajectory, family: LoggedTrajectory[]) => boolean): number {
  let n = 0;
  for (const tree of record.trees) {
    const family = (t: LoggedTrajectory): LoggedTrajectory[] => [t, ...tree.trajectories.filter((c) => c.parentId === t.id).flatMap(family)];
    for (const t of tree.trajectories.filter((x) => x.parentId === undefined)) if (keep(t, family(t))) n++;
  }
  return n;
}

beforeAll(async () => {
  // The browser first: a missing chromium fails at once, naming the fix.
  browser = await launchChromium();
  await initBackend({ force: 'wasm' });
  await scriptedRun(dirs.matpo, matpoRecipe(2), matpoScript, 2);
  await scriptedRun(dirs.tree, treeRecipe(2), treeScript, 2);
  await grpoRun(dirs.grpo, 3);
  view = await startViewServer({ runDirs: [dirs.matpo, dirs.grpo, dirs.tree], port: 0, pollMs: 250 });
  ({ page, foreign } = await openViewer(browser, view.url));
});

afterAll(async () => {
  await browser?.close();
  await view?.close();
  if (!process.env.TIRL_VIEW_SCREENSHOTS) rmSync(root, { recursive: true, force: true });
});

describe('tirl view in headless Chromium', () => {
  it('listens on the loopback interface only and loads nothing from elsewhere', () => {
    expect(view.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(foreign).toEqual([]);
  });

  it('overlays the metrics of the three runs, one line per run', async () => {
    await until(`document.querySelectorAll('svg[data-key="reward/mean"] path.series').length === 3`);
    const runs = await js<string[]>(`[...document.querySelectorAll('#runs .run-chip')].map((e) => e.textContent)`);
    expect(runs).toEqual([expect.stringContaining('matpo'), expect.stringContaining('grpo'), expect.stringContaining('tree')]);
    // 2 + 3 + 2 steps of reward/mean, all finite.
    expect(await js<string>(`document.querySelector('svg[data-key="reward/mean"]').getAttribute('data-points')`)).toBe('7');
    const png = await screenshot('metrics');
    const shot = await checkPng(png);
    expect([shot.width, shot.height]).toEqual([1280, 900]);
    expect(shot.stdev).toBeGreaterThan(5);
    expect(shot.colours).toBeGreaterThan(8);
  });

  it('draws a metrics line appended while the page is open (live update)', async () => {
    const chart = `svg[data-key="reward/mean"]`;
    const before = Number(await js<string>(`document.querySelector('${chart}').getAttribute('data-points')`));
    appendFileSync(join(dirs.grpo, 'metrics.jsonl'), JSON.stringify({ step: 3, 'reward/mean': 0.75 }) + '\n');
    await until(`Number(document.querySelector('${chart}').getAttribute('data-points')) === ${before + 1}`, 10000);
    expect(await js<string>(`document.getElementById('status').textContent`)).toContain('grpo: 4 steps');
  });

  it('shows a MATPO step: a tool call with its result, a failed call, and the planner → worker tree expands', async () => {
    await showStep(0, 0);
    const record = logged(dirs.matpo);
    await expand(page, 'details.tree', record.trees[0].sampleId);
    const planner = record.trees[0].trajectories.find((t) => t.parentId === undefined && t.toolCalls.some((c) => c.childId))!;
    const worker = record.trees[0].trajectories.find((t) => t.parentId === planner.id)!;
    await expand(page, `details.traj[data-trajectory="${planner.id}"]`);
    const calls = await js<string[]>(`[...document.querySelectorAll('details.traj[data-trajectory="${planner.id}"] > table.tool-calls tr.call-ok td:nth-child(2)')].map((e) => e.textContent)`);
    expect(calls).toContain('delegate');
    // The worker the delegate call spawned is nested inside its planner, closed until expanded.
    const nested = `details.traj[data-trajectory="${planner.id}"] details.traj.child[data-trajectory="${worker.id}"]`;
    expect(await count(nested)).toBe(1);
    expect(await js<boolean>(`document.querySelector('${nested}').open`)).toBe(false);
    await expand(page, nested);
    const workerCalls = await js<string[]>(`[...document.querySelectorAll('${nested} > table.tool-calls td:nth-child(2)')].map((e) => e.textContent)`);
    expect(workerCalls).toEqual(['search']);
    const observation = await js<string>(`document.querySelector('${nested} > table.tool-calls td:nth-child(6)').textContent`);
    expect(observation).toBe(worker.toolCalls[0].observation);
    expect(await js<string[]>(`[...document.querySelectorAll('${nested} > .segment')].map((e) => e.dataset.kind)`)).toEqual(worker.segments.map((s) => s.kind));
    expect(await js<string[]>(`[...document.querySelectorAll('details.traj[data-trajectory="${planner.id}"] > .segment')].map((e) => e.dataset.kind)`)).toEqual([
      'prompt',
      'tool_call',
      'sub_agent',
      'policy',
    ]);
    // A planner that called search, which planners do not have: the error shows.
    const failing = record.trees[0].trajectories.find((t) => t.toolCalls.some((c) => !c.ok))!;
    await expand(page, `details.traj[data-trajectory="${failing.id}"]`);
    expect(await js<string>(`document.querySelector('details.traj[data-trajectory="${failing.id}"] tr.call-failed').textContent`)).toContain('error: unknown-tool');
    // Reward components of the planner.
    const rewards = await js<string>(`document.querySelector('details.traj[data-trajectory="${planner.id}"] > table.rewards').textContent`);
    for (const key of Object.keys(planner.rewardComponents)) expect(rewards).toContain(key);
    await page.evaluate(`document.querySelector('${nested}').scrollIntoView()`);
    const shot = await checkPng(await screenshot('matpo-tree'));
    expect(shot.stdev).toBeGreaterThan(5);
  });

  it('colours trained tokens by loss mask, advantage and ratio', async () => {
    const record = logged(dirs.matpo);
    const planner = record.trees[0].trajectories.find((t) => t.parentId === undefined && t.toolCalls.some((c) => c.childId))!;
    const tokens = (kind: string) => `details.traj[data-trajectory="${planner.id}"] > .segment[data-kind="${kind}"] .tok`;
    const backgrounds = (kind: string) => js<string[]>(`[...document.querySelectorAll('${tokens(kind)}')].map((e) => e.style.background)`);
    await setValue('colour-by', 'lossMask');
    expect(new Set(await backgrounds('tool_call'))).toEqual(new Set(['rgba(5, 150, 105, 0.28)']));
    expect(new Set(await backgrounds('prompt'))).toEqual(new Set(['rgba(152, 162, 179, 0.18)']));
    await setValue('colour-by', 'advantage');
    // The planner's advantage is positive (it answered right): blue; the prompt is not coloured.
    const adv = planner.segments.find((s) => s.kind === 'tool_call')!.advantage![0];
    expect(adv).toBeGreaterThan(0);
    expect((await backgrounds('tool_call')).every((b) => b.startsWith('rgba(37, 99, 235'))).toBe(true);
    expect(new Set(await backgrounds('prompt'))).toEqual(new Set(['']));
    await setValue('colour-by', 'ratio');
    const ratios = planner.segments.find((s) => s.kind === 'tool_call')!.ratio!;
    const colours = await backgrounds('tool_call');
    // Ratio above 1 (the update made the token likelier): blue; below 1: red.
    ratios.forEach((r, i) => expect([r, colours[i].startsWith(r >= 1 ? 'rgba(37, 99, 235,' : 'rgba(220, 38, 38,')]).toEqual([r, true]));
    const title = await js<string>(`document.querySelector('${tokens('tool_call')}').title`);
    expect(title).toContain(`ratio ${Number(ratios[0].toPrecision(4))}`);
  });

  it('filters trajectories by failed tool calls, reward and length', async () => {
    const record = logged(dirs.matpo);
    const shown = () => count('#step-view details.traj:not(.child)');
    const all = expectedRoots(record, () => true);
    expect(await shown()).toBe(all);
    await setValue('filter-failed', true);
    const failed = expectedRoots(record, (_, family) => family.some((t) => t.toolCalls.some((c) => !c.ok)));
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(all);
    expect(await shown()).toBe(failed);
    await setValue('filter-failed', false);
    await setValue('filter-reward-min', '0.5');
    const rewarded = expectedRoots(record, (t) => (t.reward ?? -Infinity) >= 0.5);
    expect(rewarded).toBeGreaterThan(0);
    expect(rewarded).toBeLessThan(all);
    expect(await shown()).toBe(rewarded);
    await setValue('filter-reward-min', '');
    const lengths = record.trees.flatMap((t) => t.trajectories.filter((x) => x.parentId === undefined).map((x) => x.length)).sort((a, b) => a - b);
    await setValue('filter-length-max', String(lengths[0]));
    expect(await shown()).toBe(expectedRoots(record, (t) => t.length <= lengths[0]));
    await setValue('filter-length-max', '');
    expect(await js<string>(`document.getElementById('filter-count').textContent`)).toContain(`showing ${all} of ${all}`);
  });

  it('shows a Tree-GRPO rollout tree with branch nodes that expand to their leaves', async () => {
    await showStep(2, 1);
    const record = logged(dirs.tree, 1);
    const tree = record.trees[0];
    const branches = tree.nodes.filter((n) => n.parentId !== undefined);
    expect(branches.length).toBeGreaterThan(0);
    await expand(page, 'details.tree', tree.sampleId);
    await expand(page, `details.node[data-node="${tree.nodes[0].id}"]`);
    for (const n of branches) expect(await count(`details.node[data-node="${n.id}"]`)).toBe(1);
    // Every leaf sits under the last node of its path.
    for (const t of tree.trajectories) {
      const last = t.treePath!.at(-1)!;
      expect(await count(`details.node[data-node="${last}"] > details.traj[data-trajectory="${t.id}"]`)).toBe(1);
    }
    const shot = await checkPng(await screenshot('tree'));
    expect(shot.stdev).toBeGreaterThan(5);
  });
});
