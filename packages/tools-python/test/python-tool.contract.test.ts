import { describePlugin } from '@tirl/core/testing';
import { pythonTool } from '../src';

// `create` must not load Pyodide: this suite runs no Python and finishes in milliseconds.
describePlugin(pythonTool, {
  valid: { timeoutMs: 2000, poolSize: 1, maxSessions: 2 },
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
