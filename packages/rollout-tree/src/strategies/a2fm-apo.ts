import { definePlugin, TirlError, type RolloutInput, type RolloutStrategy, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import type { Agent } from '../engine/agent';
import type { RolloutEngine } from '../engine/engine';
import { engineOptionsShape } from '../engine/engine';
import { assembleTree } from '../engine/tree-builder';
import { startSiblings, treeIdFor, withEngine } from './common';

const MODE = /^[a-z_][a-z0-9_-]*$/;

const options = z
  .object({
    ...engineOptionsShape,
    countSharedOnce: z.boolean().default(true),
    /** The modes, instant first (A²FM infer/prompts.py: default_agent = instant, reasoning_agent, toolcalling_agent = agentic). */
    modes: z
      .array(z.string().regex(MODE, 'a mode is lower-case letters, digits, "_" or "-"'))
      .min(1)
      .refine((m) => new Set(m).size === m.length, { message: 'modes must be distinct' })
      .default(['default_agent', 'reasoning_agent', 'toolcalling_agent']),
    /** ρ: rollouts per mode with the mode tag injected as a prefix (not trained). */
    rho: z.number().int().min(1).default(3),
    /** γ: adaptive rollouts, where the model writes the mode tag itself (trained: it is the routing action). */
    gamma: z.number().int().min(0).default(3),
    /** The injected prefix; `{mode}` is replaced by the mode. */
    prefix: z
      .string()
      .refine((s) => s.includes('{mode}'), { message: 'must contain "{mode}"' })
      .default('<classification> {mode} </classification>\n'),
    /** Tag the model declares its mode in; an adaptive rollout's mode is the first such tag of its response. */
    modeTag: z.string().regex(/^[a-z_][a-z0-9_-]*$/i).default('classification'),
  })
  .strict();

type Options = z.output<typeof options>;

/** The mode an adaptive rollout chose: the first `<tag> mode </tag>` its policy wrote, when it is one of `modes`. */
export function chosenMode(t: Trajectory, tag: string, modes: readonly string[]): string | undefined {
  const text = t.segments.filter((s) => s.source === 'policy').map((s) => s.text ?? '').join('');
  const m = new RegExp(`^\\s*<${tag}>\\s*([^<]*?)\\s*</${tag}>`).exec(text);
  const mode = m?.[1].toLowerCase();
  return mode !== undefined && modes.includes(mode) ? mode : undefined;
}

/** Appends the mode prefix's ids (tokenised once per call) to a forced agent's row as an untrained `injected` segment. */
function injectPrefix(engine: RolloutEngine, agent: Agent, ids: readonly number[], text: string, maxContext: number): void {
  if (engine.session.length(agent.row) + ids.length >= maxContext) {
    throw new TirlError(`rollout/a2fm-apo: the prompt of sample "${agent.sampleId}" plus the mode prefix leaves no room to generate (context ${maxContext})`, 'invalid-data');
  }
  engine.session.append(agent.row, [...ids]);
  agent.segments.push({ source: 'injected', role: agent.role, tokenIds: [...ids], text, turn: 0 });
  agent.responseTokens += ids.length;
}

function checkGroupSize(sampleId: string, rollouts: number, o: Options): void {
  const g = o.modes.length * o.rho + o.gamma;
  if (rollouts === g) return;
  throw new TirlError(
    `rollout/a2fm-apo: sample "${sampleId}" asks for ${rollouts} rollouts, but a group is ${o.modes.length} modes × rho ${o.rho} forced + gamma ${o.gamma} adaptive = ${g}. ` +
      `Set groupSize=${g}, or change rollout/a2fm-apo.rho / .gamma so that ${o.modes.length}·rho + gamma = groupSize.`,
    'invalid-options',
  );
}

/**
 * A²FM APO rollout: per query, ρ rollouts for each mode with `<classification> mode </classification>`
 * injected as token ids after the prompt (source `injected`, loss mask 0), then γ adaptive rollouts whose
 * tag the model writes itself (trained). All G = |modes|·ρ + γ rollouts are one tree and one advantage
 * group (group id = sample id), in the order forced mode 1 … forced mode k, adaptive. Each trajectory
 * records `meta.forced` and `meta.mode` (an adaptive rollout's mode only when it wrote a known one at the
 * start of its response), which `reward/adaptive-mode` reads for p.
 */
export const a2fmApoRollout = definePlugin({
  kind: 'rollout',
  name: 'a2fm-apo',
  summary: 'A²FM APO: ρ rollouts per mode with the mode tag injected (masked) + γ self-routed rollouts (tag trained), one group of |modes|·ρ + γ',
  paper: {
    title: 'A^2FM: An Adaptive Agent Foundation Model for Tool-Aware Hybrid Reasoning',
    arxiv: '2510.12838',
    section: '3.3 (APO rollout: ρ forced per mode + γ adaptive, ρ = γ = 3; prefix and tool tokens excluded from the loss); modes: infer/prompts.py',
  },
  options,
  create: (o): RolloutStrategy => ({
    rollout: (input: RolloutInput) =>
      withEngine(input, o, false, async (engine) => {
        const prefixes = o.modes.map((mode) => {
          const text = o.prefix.replace('{mode}', mode);
          return { mode, text, ids: engine.tokenizer.encode(text, { addSpecialTokens: false }) };
        });
        const groups = input.samples.map(({ sample, rollouts }, k) => {
          checkGroupSize(sample.id, rollouts, o);
          const treeId = treeIdFor(sample, input.step, k);
          const { agents } = startSiblings(engine, sample, treeId, rollouts, (i) => `${treeId}/${i}`);
          const forcedModes = prefixes.flatMap((p) => Array.from({ length: o.rho }, () => p));
          forcedModes.forEach((p, i) => injectPrefix(engine, agents[i], p.ids, p.text, input.policy.maxContext));
          return { treeId, sample, agents, forcedModes: forcedModes.map((p) => p.mode) };
        });
        await engine.runToEnd(groups.flatMap((g) => g.agents));
        return groups.map((g) => {
          const tree = assembleTree(engine, g.treeId, g.sample.id, g.agents, o.countSharedOnce);
          const forcedOf = new Map(g.agents.map((a, i) => [a.id, g.forcedModes[i]]));
          return {
            ...tree,
            trajectories: tree.trajectories.map((t) => {
              if (t.parentId !== undefined) return t;
              const forced = forcedOf.get(t.rootId);
              const mode = forced ?? chosenMode(t, o.modeTag, o.modes);
              return { ...t, meta: { ...(t.meta ?? {}), forced: forced !== undefined, ...(mode !== undefined ? { mode } : {}) } };
            }),
          };
        });
      }),
  }),
});
