import type { Tool, ToolContext, ToolResult } from '@tirl/core';

/** A model behind an OpenAI-compatible `POST {baseUrl}/v1/chat/completions` endpoint, offered as a tool. */
export interface ChatModelSpec {
  /** Tool name the policy calls. */
  name: string;
  description: string;
  baseUrl: string;
  model: string;
  /** Extra headers (e.g. authorization). */
  headers: Record<string, string>;
  maxTokens: number;
  temperature: number;
  /** Cost charged per call, plus per 1,000 total tokens the endpoint reports in `usage`. */
  costPerCall: number;
  costPer1kTokens: number;
}

/** Cost of one call: a fixed price plus a price per thousand reported tokens. */
export function callCost(spec: Pick<ChatModelSpec, 'costPerCall' | 'costPer1kTokens'>, totalTokens: number): number {
  return spec.costPerCall + (spec.costPer1kTokens * totalTokens) / 1000;
}

function endpoint(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/v1/chat/completions`;
}

/** A tool `{ prompt }` that asks the model and returns its reply; the call's cost lands on the tool-call record. */
export function createChatModelTool(spec: ChatModelSpec): Tool {
  return {
    name: spec.name,
    description: spec.description,
    parameters: {
      type: 'object',
      properties: { prompt: { type: 'string', description: 'What to ask this model.' } },
      required: ['prompt'],
      additionalProperties: false,
    },
    async call(args: unknown, ctx: ToolContext): Promise<ToolResult> {
      const prompt = String((args as { prompt?: unknown })?.prompt ?? '').trim();
      if (!prompt) return { ok: false, error: 'schema', observation: `Error (schema): ${spec.name} needs a non-empty "prompt".` };
      let response: Response;
      try {
        response = await fetch(endpoint(spec.baseUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...spec.headers },
          body: JSON.stringify({
            model: spec.model,
            messages: [{ role: 'user', content: prompt }],
            max_tokens: spec.maxTokens,
            temperature: spec.temperature,
          }),
          signal: ctx.signal,
        });
      } catch (e) {
        return { ok: false, error: 'unavailable', observation: `Error (unavailable): ${spec.name}: ${(e as Error).message}`, cost: spec.costPerCall };
      }
      if (!response.ok) {
        return { ok: false, error: 'unavailable', observation: `Error (unavailable): ${spec.name} answered HTTP ${response.status}.`, cost: spec.costPerCall };
      }
      let body: { choices?: { message?: { content?: unknown } }[]; usage?: { total_tokens?: unknown } };
      try {
        body = (await response.json()) as typeof body;
      } catch {
        return { ok: false, error: 'bad-response', observation: `Error (bad-response): ${spec.name} did not return JSON.`, cost: spec.costPerCall };
      }
      const content = body.choices?.[0]?.message?.content;
      if (typeof content !== 'string') {
        return { ok: false, error: 'bad-response', observation: `Error (bad-response): ${spec.name} returned no choices[0].message.content.`, cost: spec.costPerCall };
      }
      const tokens = typeof body.usage?.total_tokens === 'number' ? body.usage.total_tokens : 0;
      return { ok: true, observation: content, cost: callCost(spec, tokens), data: { model: spec.model, totalTokens: tokens } };
    },
  };
}
