import { defineMethod, defineScale, defineTask } from '@tirl/core';

const paper = { title: 'THOR: Tool-Integrated Hierarchical Optimization via RL for Mathematical Reasoning', arxiv: '2509.13761' };

/**
 * THOR: trajectory-level GRPO on answer correctness and step-level GRPO on code-execution success of
 * regenerated failed steps, in one batch; PPO clip 0.2 / 0.28 with dual clip 3, token mean, no KL, and an NLL
 * term on positive-advantage tokens. Constants from the released run script (run_code_grpo.sh) unless noted.
 */
export const thor = defineMethod({
  name: 'thor',
  extends: 'base',
  paper: { ...paper, section: '3 (hierarchical optimisation); code run_code_grpo.sh, vllm_rollout_spmd.py, naive.py, dp_actor.py' },
  description: 'Trajectory-level GRPO on correctness + step-level GRPO on whether regenerated failed code steps execute; clip 0.2/0.28, dual clip 3, token mean, NLL on positive tokens 0.01',
  plugins: [
    // Step level: pass_rate_n 16 continuations, del_last_token_num 100 (run_code_grpo.sh; the function default is 200).
    ['rollout/failed-step-regeneration', { passRateN: 16, delLastTokens: 100 }],
    // naive.py: step rows score execution_passes, trajectory rows the answer check (0/1).
    ['reward/execution-pass', { check: 'math' }],
    // filter_groups = True: groups whose rewards have std 0 carry no signal and are dropped (DAPO dynamic sampling;
    // max_num_gen_batches not read from the script: the plugin default, DAPO's 10).
    ['filter/dynamic-sampling', { minStd: 0 }],
    // verl GRPO: unbiased std, ε 1e-6, per group (step groups have their own ids).
    ['advantage/grpo', { stdKind: 'unbiased', eps: 1e-6 }],
    // clip_ratio_low 0.2, clip_ratio_high 0.28, clip_ratio_c 3.0.
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.28, dualClipC: 3 }],
    // loss_agg_mode token-mean.
    ['aggregation/token-mean'],
    // grpo_select_alpha 0.01; dp_actor.py selects A > 1e-7. kl_coef = kl_loss_coef = 0, entropy_coeff 0: no KL, no entropy term.
    ['regularizer/nll-on-positive', { coef: 0.01, threshold: 1e-7 }],
  ],
  settings: {
    // max_interaction_round 5: at most 5 code executions per rollout.
    limits: { maxToolCalls: 5 },
  },
  // execution-pass scores trajectory rows on their answer and step rows on execution only.
  scoresCorrectness: true,
});

/** THOR's training task: math answered with Python code run in the sandbox, the final answer checked 0 / 1. */
export const thorMathTask = defineTask({
  name: 'thor-math',
  description: 'Math problems solved with <python> code run in the sandboxed interpreter (tool/python); the final answer checked by value (0 / 1)',
  correctness: ['reward/math-equivalence'],
  plugins: [['toolFormat/xml-tags', { tags: ['python'] }], ['tool/python']],
});

/** run_code_grpo.sh: 16 rollouts per prompt, lr 1e-6, temperature 1.0, max_response_length 3200 (tool outputs included). */
export const thorScale = defineScale({
  name: 'thor',
  description: 'THOR run_code_grpo.sh: group 16, lr 1e-6, temperature 1.0, 3200 response tokens (tool outputs included)',
  settings: { groupSize: 16, optimizer: { lr: 1e-6 }, decode: { maxNewTokens: 3200, temperature: 1 }, limits: { maxTotalTokens: 3200 } },
});
