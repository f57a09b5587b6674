import type { AgentRouter } from '../../kinds/rollout';
import type { Sample } from '../../kinds/tool';
import type { AnyPluginDefinition } from '../../plugin/define-plugin';
import { check, deepFreeze, describeKit, instantiate, type KitOptions } from './common';

export interface RouterKitOptions extends KitOptions {
  /** Default: a system message and a question. */
  sample?: Sample;
}

export const defaultRouterSample = (): Sample => ({
  id: 'q',
  messages: [
    { role: 'system', content: 'Answer the question.' },
    { role: 'user', content: 'Which city is the capital of France?' },
  ],
  answer: 'Paris',
});

/**
 * The behavioural kit of kind `router`: the root role is one of its uniquely named roles; root messages
 * are chat messages that keep the sample's question; the agent tools of every role are well formed and
 * uniquely named; the sample (deep-frozen) is not modified; determinism.
 */
export function runRouterKit(def: AnyPluginDefinition, kit: RouterKitOptions = {}): void {
  const sample = deepFreeze(kit.sample ?? defaultRouterSample());
  const make = () => instantiate<AgentRouter>(def, kit.valid ?? {}, kit);
  describeKit(def, 'router', kit, () => {
    check(kit, 'shape', 'the root role is among uniquely named roles, each with a prompt and tool names', () => {
      const router = make();
      const names = router.roles().map((r) => r.name);
      expect(new Set(names).size).toBe(names.length);
      expect(names).toContain(router.rootRole);
      for (const role of router.roles()) {
        expect(typeof role.systemPrompt).toBe('string');
        expect(Array.isArray(role.tools)).toBe(true);
      }
    });

    check(kit, 'shape', 'root messages are chat messages that keep the question (sample deep-frozen)', () => {
      const messages = make().rootMessages(sample);
      expect(messages.length).toBeGreaterThan(0);
      for (const m of messages) expect([typeof m.role, typeof m.content]).toEqual(['string', 'string']);
      const question = sample.messages[sample.messages.length - 1].content;
      expect(messages.some((m) => m.content.includes(question))).toBe(true);
    });

    check(kit, 'shape', 'agent tools are well formed and uniquely named per role', () => {
      const router = make();
      for (const role of router.roles()) {
        const tools = router.agentTools(role.name);
        const names = tools.map((t) => t.name);
        expect([role.name, new Set(names).size]).toEqual([role.name, names.length]);
        for (const t of tools) {
          expect(t.name).toMatch(/^[a-zA-Z_][a-zA-Z0-9_.-]*$/);
          expect(t.parameters.type).toBe('object');
          expect(typeof t.call).toBe('function');
        }
      }
    });

    check(kit, 'determinism', 'two instances give the same roles and root messages', () => {
      const view = (r: AgentRouter) => ({ root: r.rootRole, roles: r.roles(), messages: r.rootMessages(sample) });
      expect(view(make())).toEqual(view(make()));
    });
  });
}
