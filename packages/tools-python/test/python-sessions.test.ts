import { ctx, makeTool } from './helpers';

// One pool for the whole file: each interpreter costs ~3 s to load.
// Most tests share the trajectory `nb` so that few interpreters are loaded.
// The grace is generous: on a busy machine the interrupt can take longer than the default to land.
const GRACE_MS = 3_000;
const tool = makeTool({ poolSize: 1, maxSessions: 4, interruptGraceMs: GRACE_MS });
afterAll(() => tool.dispose());

const run = (trajectoryId: string, code: string, timeoutMs?: number) => tool.call({ code }, ctx(trajectoryId, timeoutMs));

describe('tool/python sessions', () => {
  it('keeps variables across the calls of one trajectory and shows the last expression', async () => {
    expect(await run('nb', 'x = 40')).toEqual({ ok: true, observation: '(no output)' });
    expect(await run('nb', 'print("hi")\nx + 2')).toEqual({ ok: true, observation: 'stdout:\nhi\n\nresult: 42' });
    // A trailing None is not shown; a trailing statement has no value.
    expect((await run('nb', 'None')).observation).toBe('(no output)');
    expect((await run('nb', 'y = x')).observation).toBe('(no output)');
  });

  it('release drops the session: the next call starts from a fresh interpreter', async () => {
    await run('rel', 'secret = 7');
    expect((await run('rel', 'secret')).observation).toBe('result: 7');
    await tool.release('rel');
    const after = await run('rel', 'secret');
    expect(after.ok).toBe(false);
    expect(after.observation).toMatch(/NameError: name 'secret' is not defined$/);
  });

  it('renders a compact traceback with only the cell frames', async () => {
    // `nb` has run 4 cells in the test above: this is cell 5.
    const result = await run('nb', 'def f(d):\n    return 1 / d\nf(0)');
    expect(result).toEqual({
      ok: false,
      error: 'exception',
      observation: [
        'error:',
        'Traceback (most recent call last):',
        '  File "<cell 5>", line 3, in <module>',
        '    f(0)',
        '    ~^^^',
        '  File "<cell 5>", line 2, in f',
        '    return 1 / d',
        '           ~~^~~',
        'ZeroDivisionError: division by zero',
      ].join('\n'),
    });
    const syntax = await run('nb', 'def broken(:');
    expect(syntax.observation).toMatch(/File "<cell 6>", line 1\n[\s\S]*SyntaxError/);
  });

  it('truncates 100 MB of output with a marker that counts what was dropped', async () => {
    const result = await run('nb', "print('x' * 100_000_000)");
    // maxOutputChars = 500 keeps 500 of the 100,000,001 bytes (100,000,000 'x' + '\n'): 99,999,501 dropped.
    expect(result.observation).toBe(`stdout:\n${'x'.repeat(500)}\n[... stdout truncated: 99999501 more bytes not shown ...]`);
    // repr of 'y' * 1000 is 1002 characters (with quotes): 500 kept, 502 dropped.
    const value = await run('nb', "'y' * 1000");
    expect(value.observation).toBe(`result: '${'y'.repeat(499)}\n[... result truncated: 502 more characters not shown ...]`);
  });

  it('interrupts an endless loop at the deadline and keeps the session', async () => {
    await run('nb', 'kept = 1');
    const started = Date.now();
    const result = await run('nb', 'while True: pass', 500);
    // Stopped by the interrupt, not by the kill at the end of the grace.
    expect(Date.now() - started).toBeLessThan(500 + GRACE_MS);
    expect(result).toEqual({
      ok: false,
      error: 'timeout',
      observation: 'error: timed out after 500 ms (KeyboardInterrupt); variables from earlier cells are kept.',
    });
    expect((await run('nb', 'kept')).observation).toBe('result: 1');
  });

  it('interrupts a cell whose deadline passed before the interpreter received it', async () => {
    // A 1 ms deadline expires about when the cell reaches the worker thread, often before it, and the
    // interrupt then lands anywhere: before the cell's code, in it, or in the runner around it.
    for (let i = 0; i < 20; i++) {
      const result = await run('nb', 'while True: pass', 1);
      expect(result.observation).toBe('error: timed out after 1 ms (KeyboardInterrupt); variables from earlier cells are kept.');
    }
    expect((await run('nb', 'kept')).observation).toBe('result: 1');
  });

  it('kills a loop that swallows the interrupt, then recovers with a fresh interpreter', async () => {
    await run('rel', 'kept = 1');
    const code = 'while True:\n    try:\n        while True: pass\n    except BaseException:\n        pass';
    const result = await run('rel', code, 500);
    expect(result.error).toBe('timeout');
    expect(result.observation).toContain('the interpreter was stopped and restarted');
    const next = await run('rel', 'kept');
    expect(next.observation).toMatch(/^note: the interpreter was restarted after the previous cell[\s\S]*NameError/);
    expect((await run('rel', '2 + 2')).observation).toBe('result: 4');
  });

  it('runs several trajectories concurrently, each in its own namespace', async () => {
    const ids = ['nb', 'rel', 'c2'];
    await Promise.all(ids.map((id, i) => run(id, `v = ${i} * 10`)));
    const results = await Promise.all(ids.map((id) => run(id, 'v')));
    expect(results.map((r) => r.observation)).toEqual(['result: 0', 'result: 10', 'result: 20']);
    await Promise.all(ids.map((id) => tool.release(id)));
  });

  it('rejects malformed arguments without running anything', async () => {
    expect(await tool.call('print(1)', ctx('args'))).toEqual({
      ok: false,
      error: 'schema',
      observation: 'error: python: arguments must be an object; expected {"code": "<python source>"}.',
    });
    expect((await tool.call({ code: 1 }, ctx('args'))).observation).toContain('"code" must be a string');
    expect((await tool.call({ code: '1', lang: 'py' }, ctx('args'))).observation).toContain('unknown argument(s) lang');
  });
});

describe('tool/python: a KeyboardInterrupt raised by the cell itself', () => {
  it('is shown as the exception it is, not as "(no output)"', async () => {
    const result = await run('ki', 'print("before")\nraise KeyboardInterrupt("stop")');
    expect(result.ok).toBe(false);
    expect(result.error).toBe('exception');
    expect(result.observation).toMatch(/^stdout:\nbefore\n\nerror:\nTraceback \(most recent call last\):\n[\s\S]*KeyboardInterrupt: stop$/);
  });
});
