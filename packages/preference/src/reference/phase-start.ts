import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { assignWeights } from './weights';

const ID = 'referenceSchedule/phase-start';

/**
 * The reference of each preference phase is the policy it starts from: before a preference step that does
 * not follow one (the first step of a DPO phase after GRPO steps, or the run's first step), reference ←
 * policy. In Tool-Star's self-critic stage the DPO reference is the RL checkpoint the stage starts from
 * (LLaMA-Factory's DPO copies the model being trained when no ref_model is given).
 */
export const phaseStartReference = definePlugin({
  kind: 'referenceSchedule',
  name: 'phase-start',
  summary: 'Reference ← policy at the first step of each preference phase (DPO against the checkpoint the phase starts from)',
  paper: {
    title: 'Tool-Star: Empowering LLM-Brained Multi-Tool Reasoner via Reinforcement Learning',
    arxiv: '2505.16410',
    section: '3.3 (self-critic DPO from RL checkpoints); released LLaMA-Factory DPO config (reference = the starting model)',
  },
  options: z.object({}).strict(),
  create: () => {
    let lastStep: number | undefined;
    let phases = 0;
    return {
      beforeStep({ step, policy, reference }) {
        const starts = lastStep === undefined || step !== lastStep + 1;
        lastStep = step;
        if (!starts) return { [`${ID}/phases`]: phases };
        assignWeights(reference, policy, ID);
        phases += 1;
        return { [`${ID}/phases`]: phases };
      },
      state: () => ({ lastStep: lastStep ?? null, phases }),
      loadState(state: unknown) {
        const s = state as { lastStep: number | null; phases: number };
        lastStep = s.lastStep ?? undefined;
        phases = s.phases;
      },
    };
  },
});
