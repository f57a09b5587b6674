import { policyReply, Rng } from '../src';
import { ScriptedPolicy, type ScriptCall } from '../src/testing';

describe('policyReply', () => {
  const reply = 'Thought: check it\nObservation: 4\nScore: 1';
  const seen: ScriptCall[] = [];
  const policy = new ScriptedPolicy({ script: (call) => (seen.push(call), reply) });

  it('renders the prompt as one user message and returns the decoded reply, cut at a stop string when given', async () => {
    expect(await policyReply(policy, 'Is 2+2=4?', { maxNewTokens: 64, temperature: 0 }, new Rng(0))).toBe(reply);
    // The stop string ends the reply and is kept in it (it is generated), as a generation stop does.
    expect(await policyReply(policy, 'Is 2+2=4?', { maxNewTokens: 64, temperature: 0, stop: ['\nObservation:'] }, new Rng(0))).toBe('Thought: check it\nObservation:');
    expect(seen[0].text).toContain('Is 2+2=4?');
    expect(seen.map((c) => c.options.stopStrings)).toEqual([undefined, ['\nObservation:']]);
  });
});
