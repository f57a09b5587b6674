import { parseOptions } from '@tirl/core';
import { runToolCall, Semaphore } from '@tirl/rollout-tree';
import { PythonTool, pythonTool } from '@tirl/tools-python';

// Cold interpreters take ~3 s each to load (much longer when several load at once on a busy machine);
// the engine's per-call timeout must cover the cell, not the load.
const CALL_TIMEOUT_MS = 1_500;

describe('tool/python under the engine timer: interpreter start-up is not the call time', () => {
  const tool = new PythonTool(parseOptions(pythonTool.id, pythonTool.options, { poolSize: 0, maxSessions: 4, timeoutMs: 10_000 }));
  afterAll(() => tool.dispose());

  it('four cold calls with a 1.5 s call timeout all run their cell', async () => {
    const slots = new Semaphore(4);
    const ids = ['a', 'b', 'c', 'd'];
    const results = await Promise.all(
      ids.map((id) => runToolCall(tool, { code: '6 * 7' }, { trajectoryId: id, rootId: id, turn: 0 }, CALL_TIMEOUT_MS, slots)),
    );
    expect(results).toEqual(ids.map(() => ({ ok: true, observation: 'result: 42' })));
  }, 180_000);

  it('the cell itself is still timed once the interpreter is up', async () => {
    const slots = new Semaphore(1);
    const r = await runToolCall(tool, { code: 'while True: pass' }, { trajectoryId: 'a', rootId: 'a', turn: 1 }, CALL_TIMEOUT_MS, slots);
    expect(r.ok).toBe(false);
    expect(r.error).toBe('timeout');
  }, 60_000);
});
