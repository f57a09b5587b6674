import { defineMethod } from '@tirl/core';

export const toolllm = defineMethod({
  name: 'toolllm',
  extends: 'grpo',
  paper: {
    title: 'ToolLLM: Facilitating Large Language Models to Master 16000+ Real-world APIs',
    arxiv: '2307.16789',
    section: '3.2 (API retriever), 3.3 (DFSDT); DFS.py constants',
  },
  description: 'GRPO over the leaves of a depth-first search decision tree of tool calls, with an API retriever over the available tools',
  plugins: [
    // DFS_woFilter_w2: width 2; single_chain_max_step 12 tree nodes ≈ 4 actions; max_query_count 200; stop at the first answer.
    ['rollout/dfsdt', { width: 2, maxDepth: 4, maxQueries: 200, answers: 1 }],
    // retrieved_api_nums 5.
    ['tool/api-retriever', { topK: 5 }],
  ],
});
