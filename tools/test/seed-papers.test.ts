import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyPluginDefinition, Method } from '@tirl/core';

/**
 * The seed papers tirl implements, by their exact titles. Each is declared in `paper.title` by a plugin or a
 * method of a built-in package, except those listed in `declaredElsewhere` with the document that says why.
 */
const SEED_TITLES: readonly string[] = [
  "Multi-Agent Tool-Integrated Policy Optimization",
  "CodeV: Code with Images for Faithful Visual Reasoning via Tool-Aware Policy Optimization",
  "Tool-Augmented Policy Optimization: Synergizing Reasoning and Adaptive Tool Use with Reinforcement Learning",
  "OTC: Optimal Tool Calls via Reinforcement Learning",
  "Understanding Tool-Integrated Reasoning",
  "Advancing Tool-Augmented Large Language Models: Integrating Insights from Errors in Inference Trees",
  "DeepAgent: A General Reasoning Agent with Scalable Toolsets",
  "Truncated Proximal Policy Optimization",
  "PORTool: Tool-Use LLM Training with Rewarded Tree",
  "THOR: Tool-Integrated Hierarchical Optimization via RL for Mathematical Reasoning",
  "BAPO: Stabilizing Off-Policy Reinforcement Learning for LLMs via Balanced Policy Optimization with Adaptive Clipping",
  "Soft Adaptive Policy Optimization",
  "On GRPO Collapse in Search-R1: The Lazy Likelihood-Displacement Death Spiral",
  "ToolRL: Reward is All Tool Learning Needs",
  "Agentic Reinforced Policy Optimization",
  "XRPO: Pushing the limits of GRPO with Targeted Exploration and Exploitation",
  "The Perfect Blend: Redefining RLHF with Mixture of Judges",
  "TGDPO: Harnessing Token-Level Reward Guidance for Enhancing Direct Preference Optimization",
  "Budget-Aware Tool-Use Enables Effective Agent Scaling",
  "DPO Meets PPO: Reinforced Token Optimization for RLHF",
  "From Uniform to Heterogeneous: Tailoring Policy Optimization to Every Token\'s Nature",
  "Scaf-GRPO: Scaffolded Group Relative Policy Optimization for Enhancing LLM Reasoning",
  "Mirror Descent Policy Optimization",
  "Sharing is Caring: Efficient LM Post-Training with Collective RL Experience Sharing",
  "VerlTool: Towards Holistic Agentic Reinforcement Learning with Tool Use",
  "ToolOrchestra: Elevating Intelligence via Efficient Model and Tool Orchestration",
  "Improving Multi-Step Reasoning Abilities of Large Language Models with Direct Advantage Policy Optimization",
  "Tool-Augmented Reward Modeling",
  "OpenThinkIMG: Learning to Think with Images via Visual Tool Reinforcement Learning",
  "MToP: A MATLAB Benchmarking Platform for Evolutionary Multitasking",
  "RiskPO: Risk-based Policy Optimization via Verifiable Reward for LLM Post-Training",
  "AdaCoT: Pareto-Optimal Adaptive Chain-of-Thought Triggering via Reinforcement Learning",
  "Learning More with Less: A Dynamic Dual-Level Down-Sampling Framework for Efficient Policy Optimization",
  "SePPO: Semi-Policy Preference Optimization for Diffusion Alignment",
  "Teach Better or Show Smarter? On Instructions and Exemplars in Automatic Prompt Optimization",
  "Multimodal Policy Internalization for Conversational Agents",
  "Accelerated Preference Optimization for Large Language Model Alignment",
  "ToolLLM: Facilitating Large Language Models to Master 16000+ Real-world APIs",
  "On the Tool Manipulation Capability of Open-source Large Language Models",
  "A^2FM: An Adaptive Agent Foundation Model for Tool-Aware Hybrid Reasoning",
  "ACECode: A Reinforcement Learning Framework for Aligning Code Efficiency and Correctness in Code Language Models",
  "Toward Evaluative Thinking: Meta Policy Optimization with Evolving Reward Models",
  "MetaTool Benchmark for Large Language Models: Deciding Whether to Use Tools and Which to Use",
  "SimPO: Simple Preference Optimization with a Reference-Free Reward",
  "Boosting Tool Use of Large Language Models via Iterative Reinforced Fine-Tuning",
  "Productively Deploying Emerging Models on Emerging Platforms: A Top-Down Approach for Testing and Debugging",
  "Distilling Instruction-following Abilities of Large Language Models with Task-aware Curriculum Planning",
  "FAPO: Flawed-Aware Policy Optimization for Efficient and Reliable Reasoning",
  "DCPO: Dynamic Clipping Policy Optimization",
  "Divide-Then-Aggregate: An Efficient Tool Learning Method via Parallel Tool Invocation",
  "Tool-Star: Empowering LLM-Brained Multi-Tool Reasoner via Reinforcement Learning",
  "ReMax: A Simple, Effective, and Efficient Reinforcement Learning Method for Aligning Large Language Models",
  "Large Language Models as Tool Makers",
];

/** Seed papers with no plugin or method, and the document that names them by title. */
const declaredElsewhere: Record<string, string> = {
  // A MATLAB benchmark platform for evolutionary multitasking: no LLM-RL counterpart (README, "Not expressible").
  'MToP: A MATLAB Benchmarking Platform for Evolutionary Multitasking': 'packages/recipes/README.md',
  // TapML is a tools/ command that tests backends, not a training plugin.
  'Productively Deploying Emerging Models on Emerging Platforms: A Top-Down Approach for Testing and Debugging': 'docs/backend-testing.md',
};

const root = join(__dirname, '..', '..');

function declaredTitles(): Set<string> {
  const titles = new Set<string>();
  for (const pkg of readdirSync(join(root, 'packages'))) {
    if (!existsSync(join(root, 'packages', pkg, 'src', 'index.ts'))) continue;
    const mod = require(`@tirl/${pkg}` as string) as { plugins?: readonly AnyPluginDefinition[]; methods?: readonly Method[] };
    for (const def of mod.plugins ?? []) if (def.paper?.title) titles.add(def.paper.title);
    for (const m of mod.methods ?? []) if (m.paper?.title) titles.add(m.paper.title);
  }
  return titles;
}

describe('seed papers', () => {
  it('every seed title is declared exactly by a plugin or a method, or named in the document that says why not', () => {
    const titles = declaredTitles();
    const squash = (s: string) => s.replace(/\s+/g, ' ');
    const missing = SEED_TITLES.filter((t) => {
      if (titles.has(t)) return false;
      const doc = declaredElsewhere[t];
      return !doc || !squash(readFileSync(join(root, doc), 'utf8')).includes(t);
    });
    expect(missing).toEqual([]);
    expect(SEED_TITLES).toHaveLength(53);
  });
});
