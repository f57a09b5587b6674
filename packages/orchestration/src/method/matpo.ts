import { defineMethod } from '@tirl/core';

/**
 * MATPO as the paper states it: planner/worker roles on one policy, reward 0.9·acc + 0.1·format, GRPO over
 * the planner rollouts with the scalar advantage broadcast to their workers, PPO clip 0.2, each full
 * multi-agent rollout normalised by its own planner + worker tokens, no KL, one update per batch. The planner
 * may call several tools and workers per turn (the turn ends at EOS) and gets each result back as a message
 * of the chat template; a group of one planner rollout gets advantage 0.
 * `--set method.compat=released-code` switches to what the released code does where the two differ (see the
 * package README's compat table).
 * The tool format's options are the method's (several calls per planner turn, results as messages); the
 * task brings the workers' tools (e.g. `['tool/search', { corpusPath }]`, with `router/matpo.workerTools`)
 * and turn limits, the scale the group size and lr (`@tirl/recipes` has the paper's: task `matpo-qa`, scale
 * `matpo`, recipe `matpo`).
 */
export const matpoMethod = defineMethod({
  name: 'matpo',
  paper: { title: 'Multi-Agent Tool-Integrated Policy Optimization', arxiv: '2510.04678', section: '3 (method), 4.1 (settings)' },
  description: 'Multi-agent GRPO: planner and workers in one model, root-level group statistics broadcast to workers',
  plugins: [
    ['sampler/epoch-shuffle'],
    ['rollout/linear', { maxSpawnDepth: 1 }],
    ['toolFormat/hermes', { stopAfterCall: false, observations: 'messages', observationRole: 'tool' }],
    ['router/matpo', { maxDepth: 1 }],
    ['reward/matpo'],
    ['advantage/matpo', { broadcast: 'scalar', stdKind: 'unbiased', eps: 1e-6, singleton: 'zero' }],
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }],
    ['aggregation/root-normalised'],
  ],
  // One update per batch (§4.1).
  settings: { ppoEpochs: 1 },
  // reward/matpo judges the planner's answer itself.
  scoresCorrectness: true,
  // The packages of its plugins, so `tirl recipes matpo --packages` can say what to install.
  packages: ['@tirl/advantage', '@tirl/clipping', '@tirl/orchestration', '@tirl/rollout-tree', '@tirl/samplers'],
  switches: {
    compat: {
      description: 'Follow the paper (default) or the released training code where they differ',
      default: 'paper',
      values: {
        paper: { description: 'As §3 states it' },
        'released-code': {
          description:
            'Global token mean over planner and worker rows, parent-row advantage copy aligned at the response start, ' +
            'singleton groups A = R, empty workers score 0, dual clip 3, ordinary tool results before worker results',
          plugins: [
            ['aggregation/token-mean'],
            ['advantage/matpo', { broadcast: 'parent-row', singleton: 'raw' }],
            ['reward/matpo', { emptyWorkers: 'zero' }],
            ['objective/ppo-clip', { dualClipC: 3 }],
            ['rollout/linear', { subAgentResults: 'after-tools' }],
          ],
        },
      },
    },
  },
});
