import { chatCompletion, type ChatEndpointRequest } from '@tirl/core';

/** One call to an OpenAI-compatible `/chat/completions` endpoint (core's shared judge client). */
export type ChatRequest = ChatEndpointRequest;

/** The reply text; throws a message naming the plugin and the endpoint after the last failed try. */
export async function chatOnce(req: ChatRequest): Promise<string> {
  try {
    return await chatCompletion(req);
  } catch (e) {
    throw new Error(`reward/llm-judge: ${e instanceof Error ? e.message : String(e)}`);
  }
}
