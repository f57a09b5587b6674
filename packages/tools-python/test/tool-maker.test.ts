import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOptions } from '@tirl/core';
import { runToolKit } from '@tirl/core/testing';
import { ToolMaker, toolMaker, useCell, verificationCell } from '../src';
import { ctx } from './helpers';

const ADD = 'def add(a, b):\n    """Adds two numbers."""\n    return a + b';

runToolKit(toolMaker, {
  valid: { timeoutMs: 20_000, poolSize: 1, maxSessions: 2 },
  calls: [
    { args: { action: 'make', name: 'add', code: ADD, tests: 'assert add(2, 3) == 5' }, ok: true, observation: /add passed its tests/ },
    { args: { action: 'make', name: 'sub', code: 'def sub(a, b):\n    return a + b', tests: 'assert sub(5, 3) == 2' }, ok: false, observation: /Failed to verify the function due to the error: .*AssertionError/s },
  ],
  invalid: [{ options: { maxFunctions: 0 }, field: 'maxFunctions' }, { options: { poolSize: 3, maxSessions: 2 }, field: 'poolSize' }],
});

describe('tool/toolmaker (LATM)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'toolmaker-'));
  const libraryPath = join(dir, 'library.json');
  const tool = new ToolMaker(parseOptions(toolMaker.id, toolMaker.options, { timeoutMs: 20_000, poolSize: 1, maxSessions: 3, libraryPath }));
  afterAll(async () => {
    await tool.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the cells: verification defines, checks the name and runs the tests; use defines the library first', () => {
    expect(verificationCell('f', 'def f(): pass', 'assert f() is None')).toBe('def f(): pass\n\nassert callable(f), "f is not a function"\nassert f() is None\nprint("verified")');
    expect(useCell([{ name: 'f', code: 'def f(): return 1', tests: '', summary: '' }], 'print(f())')).toBe('def f(): return 1\n\nprint(f())');
  });

  it('worked example: a NameError proposal fails verification, the fixed one enters the library, a later rollout uses it', async () => {
    const first = await tool.call({ action: 'make', name: 'double', code: 'def double(x):\n    return x * factor', tests: 'assert double(4) == 8' }, ctx('maker'));
    expect(first.ok).toBe(false);
    expect(first.observation).toMatch(/^Failed to verify the function due to the error: .*NameError/s);
    expect(tool.description).toMatch(/The library is empty/);
    const second = await tool.call({ action: 'make', name: 'double', code: 'def double(x):\n    """Twice x."""\n    return 2 * x', tests: 'assert double(4) == 8' }, ctx('maker'));
    expect(second.ok).toBe(true);
    expect(tool.description).toMatch(/Library: double\(x\): Twice x\./);
    // Another trajectory, later: the function is there without being redefined.
    const used = await tool.call({ action: 'use', code: 'print(double(21))' }, ctx('user'));
    expect(used.observation).toMatch(/42/);
    await tool.release('user');
    // The library is on disk, so a new run (or a resumed one) starts with it.
    expect(JSON.parse(readFileSync(libraryPath, 'utf8')).map((f: { name: string }) => f.name)).toEqual(['double']);
    const again = new ToolMaker(parseOptions(toolMaker.id, toolMaker.options, { libraryPath }));
    expect(again.functions().map((f) => f.name)).toEqual(['double']);
    await again.dispose();
  }, 300_000);

  it('refuses a duplicate name, a bad name and a function without tests', async () => {
    expect((await tool.call({ action: 'make', name: 'double', code: 'def double(x): return x', tests: 'pass' }, ctx('m2'))).error).toBe('exists');
    expect((await tool.call({ action: 'make', name: '1x', code: 'def f(): pass', tests: 'pass' }, ctx('m2'))).error).toBe('schema');
    expect((await tool.call({ action: 'make', name: 'g', code: 'def g(): pass' }, ctx('m2'))).observation).toMatch(/give "tests"/);
    expect((await tool.call({ action: 'run', code: 'x' }, ctx('m2'))).error).toBe('schema');
  });
});
