import { defineMethod } from '@tirl/core';

export const aspo = defineMethod({
  name: 'aspo',
  extends: 'dapo',
  paper: { title: 'Understanding Tool-Integrated Reasoning', arxiv: '2508.19201', section: '3.3 (Eq. 2)' },
  description: 'DAPO with a clipped advantage bias favouring correct responses that call the code tool earlier',
  plugins: [
    // Eq. 2: δ = −2.0, k = 0.7.
    ['advantageTransform/aspo', { delta: -2, k: 0.7 }],
  ],
});
