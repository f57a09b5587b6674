import type { ToolContext } from '@tirl/core';
import { parseOptions } from '@tirl/core';
import { PythonTool, pythonTool, type PythonToolOptions } from '../src';

/** A tool with test-sized limits; one per test file, disposed in `afterAll`. */
export function makeTool(overrides: Partial<PythonToolOptions> = {}): PythonTool {
  const options = parseOptions(pythonTool.id, pythonTool.options, {
    timeoutMs: 5_000,
    maxOutputChars: 500,
    memoryLimitMb: 256,
    poolSize: 2,
    maxSessions: 6,
    interruptGraceMs: 400,
    ...overrides,
  });
  return new PythonTool(options);
}

export function ctx(trajectoryId: string, timeoutMs = 5_000): ToolContext {
  return { trajectoryId, rootId: trajectoryId, turn: 0, timeoutMs };
}
