import { defineMethod } from '@tirl/core';

/** GRPO on tool-manipulation prompts with retrieved API docs and demonstrations (give them as sampler options). */
export const demoRetrievalMethod = defineMethod({
  name: 'demo-retrieval',
  extends: 'grpo',
  paper: { title: 'On the Tool Manipulation Capability of Open-source Large Language Models', arxiv: '2305.16504', section: '4 (demonstration retriever; top_k_example 3 in test_all.sh)' },
  description: 'GRPO whose prompts are the ToolBench RAG prompt: the most similar API docs and demonstrations (BM25), then "Task: … Action:"',
  plugins: [['sampler/demo-retrieval', { topKExamples: 3 }]],
});
