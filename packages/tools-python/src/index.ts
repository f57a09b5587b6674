import type { AnyPluginDefinition } from '@tirl/core';
import { pythonTool } from './python-tool';

export { pythonTool, PythonTool } from './python-tool';
export { pythonToolOptions, type PythonToolOptions } from './options';
export { PythonPool, type PoolConfig, type CellRequest, type SessionOutcome } from './sandbox/python-pool';
export { SandboxRefusedError, type CellOutcome } from './sandbox/python-worker-handle';

/** Every plugin of this package. */
export const plugins: readonly AnyPluginDefinition[] = [pythonTool];
