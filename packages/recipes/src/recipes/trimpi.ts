import { defineMethod } from '@tirl/core';

export const trimpi = defineMethod({
  name: 'trimpi',
  extends: 'grpo',
  paper: {
    title: 'Multimodal Policy Internalization for Conversational Agents',
    arxiv: '2510.09474',
    section: '4.3 (PolicyRollout: GRPO with rollouts augmented by policy-aware responses)',
  },
  description: 'GRPO whose groups mix rollouts with and without the policy document in context; every row trains without it (policy internalization)',
  plugins: [
    // §4.3 PoRo; the share of document-aware rollouts (0.5) and the no-document training context are tirl's reading.
    ['rollout/policy-augmented', { share: 0.5 }],
  ],
});
