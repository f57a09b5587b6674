/**
 * Screenshots of `tirl view` on run folders (for the docs):
 *   npx tsx --conditions=tirl-source tools/test/view/screenshots.ts OUT_DIR RUN_DIR [RUN_DIR ...]
 * writes OUT_DIR/metrics.png, OUT_DIR/tool-call.png (a rollout with a successful tool call, tokens coloured
 * by loss mask) and, when a run has sub-agent rollouts, OUT_DIR/matpo-tree.png (a planner with the worker
 * it spawned, coloured by advantage). Each is checked: the expected size, and not blank.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startViewServer, TRAJECTORY_LOG_FILE, type LoggedTrajectory, type LoggedTree, type StepTrajectories } from '@tirl/trainer';
import type { Page } from 'playwright-core';
import { checkPng, expand, launchChromium, openViewer } from './browser';

async function main(out: string, runDirs: string[]): Promise<void> {
  mkdirSync(out, { recursive: true });
  const view = await startViewServer({ runDirs, port: 0, pollMs: 1000 });
  const browser = await launchChromium();
  try {
    const { page, foreign } = await openViewer(browser, view.url, 1400, 900);
    await shot(page, out, 'metrics');
    const logs = runDirs.map((d) =>
      readFileSync(join(d, TRAJECTORY_LOG_FILE), 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as StepTrajectories),
    );
    const all = logs.flatMap((records, run) => records.flatMap((record) => record.trees.flatMap((tree) => tree.trajectories.map((t) => ({ run, record, tree, t })))));
    const strength = (t: LoggedTrajectory) => Math.max(0, ...t.segments.flatMap((s) => (s.advantage ?? []).map(Math.abs)));
    const best = <T extends { t: LoggedTrajectory; record: StepTrajectories }>(list: T[]) => list.sort((a, b) => strength(b.t) - strength(a.t) || b.record.step - a.record.step)[0];
    // A rollout (root or sub-agent) with a successful, non-delegating tool call; then a planner that spawned workers.
    const withCall = best(all.filter((x) => x.t.toolCalls.some((c) => c.ok && !c.childId)));
    if (withCall) await showTrajectory(page, out, 'tool-call', withCall, 'lossMask');
    const planner = best(all.filter((x) => x.t.parentId === undefined && x.t.toolCalls.some((c) => c.childId)));
    if (planner) await showTrajectory(page, out, 'matpo-tree', planner, 'advantage', true);
    if (foreign.length) throw new Error(`the page asked for external resources: ${foreign.join(', ')}`);
  } finally {
    await browser.close();
    await view.close();
  }
}

async function showTrajectory(
  page: Page,
  out: string,
  name: string,
  at: { run: number; record: StepTrajectories; tree: LoggedTree; t: LoggedTrajectory },
  colour: string,
  children = false,
): Promise<void> {
  await page.click('#tab-trajectories');
  await page.selectOption('#traj-run', String(at.run));
  await page.waitForTimeout(1500);
  await page.selectOption('#traj-step', String(at.record.step));
  await page.selectOption('#colour-by', colour);
  await page.waitForTimeout(800);
  const { tree, t } = at;
  await page.evaluate(`document.querySelectorAll('details[open]').forEach((d) => (d.open = false))`);
  await expand(page, `details.tree[data-tree="${tree.id}"]`);
  for (const n of tree.nodes) if (n.parentId !== undefined) await expand(page, `details.node[data-node="${n.id}"]`).catch(() => undefined);
  const chain: LoggedTrajectory[] = [];
  for (let x: LoggedTrajectory | undefined = t; x; x = tree.trajectories.find((p) => p.id === x!.parentId)) chain.unshift(x);
  for (const x of chain) await expand(page, `details.traj[data-trajectory="${x.id}"]`);
  if (children) for (const c of tree.trajectories.filter((x) => x.parentId === t.id)) await expand(page, `details.traj[data-trajectory="${c.id}"]`);
  await page.evaluate(`document.querySelector('${t.parentId === undefined ? `details.tree[data-tree="${tree.id}"]` : `details.traj[data-trajectory="${t.id}"]`}').scrollIntoView()`);
  await shot(page, out, name);
}

async function shot(page: Page, out: string, name: string): Promise<void> {
  const png = await page.screenshot();
  const check = await checkPng(png);
  const size = page.viewportSize()!;
  if (check.width !== size.width || check.height !== size.height || check.stdev < 5 || check.colours < 8) {
    throw new Error(`${name}.png looks wrong: ${JSON.stringify(check)}`);
  }
  writeFileSync(join(out, `${name}.png`), png);
  console.log(JSON.stringify({ file: join(out, `${name}.png`), ...check }));
}

const [out, ...runs] = process.argv.slice(2);
if (!out || !runs.length) {
  console.error('usage: screenshots.ts OUT_DIR RUN_DIR [RUN_DIR ...]');
  process.exit(2);
}
main(out, runs).catch((e) => {
  console.error(e);
  process.exit(1);
});
