import type { Trajectory } from '@tirl/core';
import { declaredTools } from '../src/tools/schemas';

describe('declaredTools', () => {
  it("skips the empty <tools></tools> that Hermes' preamble names in prose and reads the real block", () => {
    const prompt =
      'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
      '{"type":"function","function":{"name":"search","parameters":{"type":"object","properties":{"query":{"type":"string"}}}}}\n</tools>\n';
    const t: Trajectory = {
      id: 't',
      sampleId: 's',
      groupId: 's',
      rootId: 't',
      role: 'agent',
      segments: [{ source: 'prompt', role: 'agent', tokenIds: [1], text: prompt }],
      toolCalls: [],
    };
    expect(declaredTools(t)?.map((x) => x.name)).toEqual(['search']);
  });
});
