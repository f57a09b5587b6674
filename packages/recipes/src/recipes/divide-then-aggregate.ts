import { defineMethod } from '@tirl/core';

export const divideThenAggregate = defineMethod({
  name: 'divide-then-aggregate',
  extends: 'grpo',
  paper: {
    title: 'Divide-Then-Aggregate: An Efficient Tool Learning Method via Parallel Tool Invocation',
    arxiv: '2501.12432',
    section: '3.2 (parallel inference: a step lists independent calls that run concurrently; results in call order)',
  },
  description: 'GRPO on rollouts whose turns each list independent function calls that run in parallel (DTA format and executor)',
  plugins: [['toolFormat/parallel-calls']],
});
