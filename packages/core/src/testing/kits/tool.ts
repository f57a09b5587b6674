import type { Tool, ToolContext, ToolResult } from '../../kinds/tool';
import type { AnyPluginDefinition } from '../../plugin/define-plugin';
import { Rng } from '../../random/rng';
import { leakGuard } from '../leaks';
import { check, deepFreeze, describeKit, instantiate, type KitOptions } from './common';

export interface ToolCallCase {
  name?: string;
  args: unknown;
  /** Whether the call must succeed. */
  ok: boolean;
  /** Text the observation must contain. */
  observation?: string | RegExp;
}

export interface ToolKitOptions extends KitOptions {
  /** Calls with their expected outcome (at least one that succeeds). */
  calls: ToolCallCase[];
  /** Context extras for every call (e.g. `sample`, `spawn`), or a function read when the test runs. */
  context?: Partial<ToolContext> | (() => Partial<ToolContext>);
  /** Per-call timeout given to the tool (default 10 s). */
  timeoutMs?: number;
}

function context(kit: ToolKitOptions, trajectoryId: string): ToolContext {
  return { trajectoryId, rootId: trajectoryId, turn: 0, timeoutMs: kit.timeoutMs ?? 10_000, rng: new Rng(kit.seed ?? 0), ...(typeof kit.context === 'function' ? kit.context() : kit.context) };
}

async function withTool<T>(def: AnyPluginDefinition, kit: ToolKitOptions, fn: (tool: Tool) => Promise<T>): Promise<T> {
  const tool = instantiate<Tool>(def, kit.valid ?? {}, kit);
  try {
    return await fn(tool);
  } finally {
    await tool.dispose?.();
  }
}

function expectResult(label: string, r: ToolResult): void {
  if (!r || typeof r.ok !== 'boolean' || typeof r.observation !== 'string') {
    throw new Error(`${label}: a tool result needs { ok: boolean, observation: string }, got ${JSON.stringify(r)?.slice(0, 200)}`);
  }
  if (!r.ok && !r.error) throw new Error(`${label}: a failed call needs an error kind, got ${JSON.stringify(r).slice(0, 200)}`);
}

/**
 * The behavioural kit of kind `tool`: a name, a description and an object JSON schema; the given calls
 * succeed or fail as stated with `{ ok, observation, error }`; bad arguments (not an object, missing
 * required fields) become error observations, never a throw; arguments are not modified (deep-frozen);
 * releasing an unknown trajectory is harmless; no tensor leaks.
 */
export function runToolKit(def: AnyPluginDefinition, kit: ToolKitOptions): void {
  describeKit(def, 'tool', kit, () => {
    check(kit, 'shape', 'has a name, a description and an object schema', async () => {
      await withTool(def, kit, async (tool) => {
        expect(tool.name).toMatch(/^[a-zA-Z_][a-zA-Z0-9_.-]*$/);
        expect(tool.description.trim().length).toBeGreaterThan(0);
        expect(tool.parameters.type).toBe('object');
      });
    });

    check(kit, 'shape', 'the given calls succeed or fail as stated (arguments deep-frozen)', async () => {
      if (!kit.calls.some((c) => c.ok)) throw new Error(`${def.id}: the tool kit needs a call that succeeds`);
      await withTool(def, kit, async (tool) => {
        for (const [i, c] of kit.calls.entries()) {
          const r = await tool.call(deepFreeze(structuredClone(c.args)), context(kit, `kit-${i}`));
          expectResult(`${def.id} call ${c.name ?? i}`, r);
          expect([c.name ?? i, r.ok]).toEqual([c.name ?? i, c.ok]);
          if (c.observation !== undefined) expect(r.observation).toMatch(c.observation);
          await tool.release?.(`kit-${i}`);
        }
      });
    });

    check(kit, 'bad-input', 'arguments that are not an object or miss a required field give an error observation', async () => {
      await withTool(def, kit, async (tool) => {
        const required = (tool.parameters.required as string[] | undefined) ?? [];
        const bad: unknown[] = [undefined, null, 42, 'text', [1, 2], true];
        if (required.length) bad.push({});
        for (const args of bad) {
          let r: ToolResult;
          try {
            r = await tool.call(args, context(kit, 'kit-bad'));
          } catch (e) {
            throw new Error(`${def.id}: call(${JSON.stringify(args)}) threw instead of returning an error: ${e instanceof Error ? e.message : String(e)}`);
          }
          expectResult(`${def.id} call(${JSON.stringify(args)})`, r);
          expect([args, r.ok]).toEqual([args, false]);
        }
        await tool.release?.('kit-bad');
        await tool.release?.('never-seen');
      });
    });

    check(kit, 'leaks', 'calls leave no tensor behind', async () => {
      const leaks = leakGuard();
      await withTool(def, kit, async (tool) => {
        for (const c of kit.calls) await tool.call(structuredClone(c.args), context(kit, 'kit-leak'));
        await tool.release?.('kit-leak');
      });
      leaks.check(def.id);
    });
  });
}
