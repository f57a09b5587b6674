import { runToolKit } from '@tirl/core/testing';
import { pythonTool } from '../src';

// `create` must not load Pyodide (the contract part runs no Python); the kit's calls start one worker.
runToolKit(pythonTool, {
  valid: { timeoutMs: 20_000, poolSize: 1, maxSessions: 2 },
  calls: [
    { args: { code: 'print(6 * 7)' }, ok: true, observation: /42/ },
    { args: { code: 'raise ValueError("boom")' }, ok: false, observation: /ValueError/ },
  ],
  invalid: [
    { options: { timeoutMs: 0 }, field: 'timeoutMs' },
    { options: { maxOutputChars: 10 }, field: 'maxOutputChars' },
    { options: { memoryLimitMb: 10_000 }, field: 'memoryLimitMb' },
    { options: { poolSize: -1 }, field: 'poolSize' },
    { options: { poolSize: 3, maxSessions: 2 }, field: 'poolSize' },
    { options: { maxSessions: 0 }, field: 'maxSessions' },
    { options: { onRelease: 'keep' }, field: 'onRelease' },
  ],
});
