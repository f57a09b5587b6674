import { defineMethod } from '@tirl/core';

/**
 * MDPO: each step approximately solves argmax E[(π_θ/π_k)·Â] − (1/t_k)·E[KL(π_θ ‖ π_k)] with m gradient
 * steps on the same batch and no clipping, t_k annealed from 1 towards 0 over the run.
 */
export const mdpo = defineMethod({
  name: 'mdpo',
  extends: 'base',
  paper: { title: 'Mirror Descent Policy Optimization', arxiv: '2005.09814', section: '4.1 (on-policy MDPO); 4.2 (off-policy)' },
  description: 'Unclipped importance-sampled surrogate plus KL(π_θ ‖ π_k)/t_k to the policy that sampled the batch, t_k = 1 − k/K, m = 10 updates per batch',
  plugins: [
    // Â: GAE from the critic, standardised per batch as the authors' mdpo_on does (γ = λ = 1 for outcome rewards, as `ppo`).
    ['advantage/gae', { gamma: 1, lambda: 1, whiten: true }],
    // §4.1: the linearised objective E[(π_θ/π_k)·Â], no clipping.
    ['objective/reinforce', { importanceSampling: true }],
    // §4.1: the trust region KL(π_θ ‖ π_k)/t_k with t_k = 1 − k/K (K = the run's steps).
    ['regularizer/mdpo-kl', { schedule: 'paper' }],
    // mdpo_on: the surrogate is a mean over samples (tokens here).
    ['aggregation/token-mean'],
  ],
  // mdpo_on README: m = sgd_steps = 10 full-batch steps on each batch with π_k frozen.
  settings: { ppoEpochs: 10, miniBatches: 1 },
  switches: {
    form: {
      default: 'on-policy',
      values: {
        'on-policy': {},
        // §4.2 / mdpo_off: the anchor π_k is the policy at the start of each step while rollouts may be stale
        // (asynchronous); klconst c = 1/t fixed at 1.0 (README).
        'off-policy': {
          plugins: [{ remove: 'regularizer/mdpo-kl' }, ['regularizer/mdpo-kl-off-policy', { schedule: 'constant', coef: 1 }]],
        },
      },
    },
  },
});
