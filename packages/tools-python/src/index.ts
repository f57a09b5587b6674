import type { AnyPluginDefinition } from '@tirl/core';
import { pythonImageTool } from './image/python-image-tool';
import { pythonTool } from './python-tool';
import { acecode } from './rewards/acecode';
import { toolMaker } from './tool-maker';

export { pythonTool, PythonTool } from './python-tool';
export { pythonImageTool, PythonImageTool, pythonImageToolOptions, type PythonImageToolOptions } from './image/python-image-tool';
export { ToolMaker, toolMaker, useCell, verificationCell, type MadeFunction, type ToolMakerOptions } from './tool-maker';
export { acecode, efficiencyReward, lastCodeBlock } from './rewards/acecode';
export { harness, readMeasurement, type Measurement, type RuntimeMeasure } from './rewards/acecode-harness';
export { pythonToolOptions, type PythonToolOptions } from './options';
export { PythonPool, type PoolConfig, type CellRequest, type SessionOutcome } from './sandbox/python-pool';
export { SandboxRefusedError, type CellOutcome } from './sandbox/python-worker-handle';

/** Every plugin of this package. */
export const plugins: readonly AnyPluginDefinition[] = [pythonTool, pythonImageTool, acecode, toolMaker];
