// Calls per second of a trivial cell: warm pool vs a cold interpreter per call vs a python3 subprocess.
// Run: npx tsx packages/tools-python/bench/calls.ts [warmCalls=200] [coldCalls=3] [subprocessCalls=50]
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { parseOptions } from '@tirl/core';
import { PythonTool, pythonTool } from '../src';

const [warmCalls = 200, coldCalls = 3, subprocessCalls = 50] = process.argv.slice(2).map(Number);
const SNIPPET = 'sum(range(10))';

function makeTool(poolSize: number): PythonTool {
  return new PythonTool(parseOptions(pythonTool.id, pythonTool.options, { poolSize, maxSessions: 4 }));
}

const ctx = (trajectoryId: string) => ({ trajectoryId, rootId: trajectoryId, turn: 0, timeoutMs: 60_000 });

async function warm(): Promise<number> {
  const tool = makeTool(1);
  await tool.call({ code: 'pass' }, ctx('warm')); // loads the session's interpreter; not timed
  const t0 = performance.now();
  for (let i = 0; i < warmCalls; i++) {
    const r = await tool.call({ code: SNIPPET }, ctx('warm'));
    if (r.observation !== 'result: 45') throw new Error(`unexpected: ${r.observation}`);
  }
  const rate = warmCalls / ((performance.now() - t0) / 1000);
  await tool.dispose();
  return rate;
}

async function cold(): Promise<number> {
  const tool = makeTool(0); // no warm pool: every new trajectory loads Pyodide
  const t0 = performance.now();
  for (let i = 0; i < coldCalls; i++) {
    const r = await tool.call({ code: SNIPPET }, ctx(`cold-${i}`));
    if (r.observation !== 'result: 45') throw new Error(`unexpected: ${r.observation}`);
    await tool.release(`cold-${i}`);
  }
  const rate = coldCalls / ((performance.now() - t0) / 1000);
  await tool.dispose();
  return rate;
}

function subprocess(): number | undefined {
  if (spawnSync('python3', ['--version']).status !== 0) return undefined;
  const t0 = performance.now();
  for (let i = 0; i < subprocessCalls; i++) {
    const r = spawnSync('python3', ['-I', '-S', '-c', `print(${SNIPPET})`], { encoding: 'utf8' });
    if (r.stdout.trim() !== '45') throw new Error(`unexpected: ${r.stdout}`);
  }
  return subprocessCalls / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const warmRate = await warm();
  const coldRate = await cold();
  const subRate = subprocess();
  const fmt = (x: number) => x.toFixed(x < 10 ? 2 : 0);
  console.log(`snippet: ${SNIPPET}`);
  console.log(`warm pool (same session):      ${fmt(warmRate)} calls/s  (${warmCalls} calls)`);
  console.log(`cold start (new interpreter):  ${fmt(coldRate)} calls/s  (${coldCalls} calls)  warm/cold = ${fmt(warmRate / coldRate)}x`);
  if (subRate === undefined) console.log('python3 subprocess: python3 not found, skipped');
  else console.log(`python3 -I -S subprocess:      ${fmt(subRate)} calls/s  (${subprocessCalls} calls)  warm/subprocess = ${fmt(warmRate / subRate)}x  (a subprocess is not a sandbox)`);
}

void main();
