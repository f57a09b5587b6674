import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { createChatModelTool } from './chat-client';

export const chatModelShape = {
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/),
  description: z.string().default('Ask another model; returns its answer.'),
  /** Server root, e.g. `http://localhost:8000` (the tool posts to `/v1/chat/completions`). */
  baseUrl: z.url(),
  model: z.string().min(1),
  headers: z.record(z.string(), z.string()).default({}),
  maxTokens: z.number().int().positive().default(512),
  temperature: z.number().min(0).default(0),
  costPerCall: z.number().min(0).default(0),
  costPer1kTokens: z.number().min(0).default(0),
};

/** Another model behind an OpenAI-compatible chat endpoint, as a tool; each call records its cost. */
export const chatModelTool = definePlugin({
  kind: 'tool',
  name: 'chat-model',
  summary: 'Another model behind an OpenAI-compatible /v1/chat/completions endpoint, as a tool with a per-call cost',
  paper: { title: 'ToolOrchestra: Elevating Intelligence via Efficient Model and Tool Orchestration', arxiv: '2511.21689', section: '3 (models as tools)' },
  options: z.object(chatModelShape).strict(),
  create: (o) => createChatModelTool(o),
});
