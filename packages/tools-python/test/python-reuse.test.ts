import { ctx, makeTool } from './helpers';

// `onRelease: 'reset'`: one interpreter serves trajectory after trajectory with a fresh namespace.
const tool = makeTool({ poolSize: 1, maxSessions: 2, onRelease: 'reset' });
afterAll(() => tool.dispose());

const run = (trajectoryId: string, code: string) => tool.call({ code }, ctx(trajectoryId));

describe('tool/python onRelease: reset', () => {
  it('clears variables on release and reuses the interpreter (interpreter-level state carries over)', async () => {
    await run('a', 'secret = 7\nimport sys\nsys.reuse_marker = 41');
    expect((await run('a', 'secret')).observation).toBe('result: 7');
    await tool.release('a');
    const after = await run('b', 'secret');
    expect(after.ok).toBe(false);
    // A fresh session numbers its cells from 1 again.
    expect(after.observation).toContain('File "<cell 1>"');
    expect(after.observation).toMatch(/NameError: name 'secret' is not defined$/);
    // The same interpreter (no ~3 s load): the attribute set on `sys` by trajectory a is still there (documented caveat).
    expect((await run('b', 'import sys\nsys.reuse_marker + 1')).observation).toBe('result: 42');
    await tool.release('b');
    expect((await run('c', 'print(347*29)')).observation).toBe('stdout:\n10063\n');
  }, 60_000);

  it('past maxSessions, the least recently used idle session is reset and its interpreter reused', async () => {
    await run('x', 'v = 1\nimport sys\nsys.owner = "x"');
    await run('y', 'v = 2\nimport sys\nsys.owner = "y"');
    expect((await run('z', 'print(v)')).observation).toMatch(/NameError: name 'v' is not defined$/);
    // z runs in x's interpreter (x was used least recently), not in a newly loaded one.
    expect((await run('z', 'import sys\nsys.owner')).observation).toBe("result: 'x'");
    const evicted = await run('x', 'v');
    expect(evicted.observation).toMatch(/^note: the session was closed to make room for other trajectories \(maxSessions=2\)/);
    expect(evicted.observation).toMatch(/NameError/);
  }, 60_000);
});
