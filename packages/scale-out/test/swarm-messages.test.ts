import { decodeSharedRollout, encodeSharedRollout, MemorySwarm, PendingRollouts, swarmStreamKey, type SharedRollout } from '../src';

const rollout = (node: string, id: string, completions: string[]): SharedRollout => ({
  node,
  round: 3,
  sample: { id, messages: [{ role: 'user', content: `question ${id}` }], answer: '7', meta: { task: 'sum' } },
  completions,
});

describe('shared rollout messages', () => {
  it('round-trip the question, ground truth, metadata and completions', () => {
    const r = rollout('a', 'q1', ['<answer>7</answer>', 'no idea']);
    expect(decodeSharedRollout(encodeSharedRollout(r))).toEqual({ rollout: r });
  });

  it.each([
    ['not JSON', '{'],
    ['protocol', JSON.stringify({ protocol: 2, node: 'a', round: 0, sample: { id: 'q', messages: [{ role: 'user', content: 'x' }] }, completions: ['y'] })],
    ['node', JSON.stringify({ protocol: 1, node: '', round: 0, sample: { id: 'q', messages: [{ role: 'user', content: 'x' }] }, completions: ['y'] })],
    ['round', JSON.stringify({ protocol: 1, node: 'a', round: -1, sample: { id: 'q', messages: [{ role: 'user', content: 'x' }] }, completions: ['y'] })],
    ['sample.messages', JSON.stringify({ protocol: 1, node: 'a', round: 0, sample: { id: 'q', messages: [] }, completions: ['y'] })],
    ['completions', JSON.stringify({ protocol: 1, node: 'a', round: 0, sample: { id: 'q', messages: [{ role: 'user', content: 'x' }] }, completions: [] })],
    ['sample', JSON.stringify({ protocol: 1, node: 'a', round: 0, sample: { id: 'q', messages: [{ role: 'user', content: 'x' }], tools: ['rm -rf'] }, completions: ['y'] })],
    ['sample.messages.0.content', JSON.stringify({ protocol: 1, node: 'a', round: 0, sample: { id: 'q', messages: [{ role: 'user', content: 'x'.repeat(200_001) }] }, completions: ['y'] })],
  ])('refuses a message, naming %s', (field, text) => {
    const out = decodeSharedRollout(text);
    expect('error' in out && out.error.startsWith(field)).toBe(true);
  });
});

describe('pending peer rollouts', () => {
  it("skips the node's own, hands out oldest first, each once, and counts refusals and size mismatches", () => {
    const reasons: string[] = [];
    const inbox = new PendingRollouts('me', 8, (r) => reasons.push(r));
    inbox.add(encodeSharedRollout(rollout('me', 'mine', ['a', 'b'])));
    inbox.add(encodeSharedRollout(rollout('p1', 'q1', ['a', 'b'])));
    inbox.add(encodeSharedRollout(rollout('p2', 'q2', ['a', 'b', 'c'])));
    inbox.add(encodeSharedRollout(rollout('p2', 'q3', ['c', 'd'])));
    inbox.add('garbage');
    expect(inbox.take(1, 2).map((r) => r.sample.id)).toEqual(['q1']);
    expect(inbox.take(5, 2).map((r) => r.sample.id)).toEqual(['q3']);
    expect(inbox.take(5, 2)).toEqual([]);
    expect(inbox.stats()).toEqual({ received: 3, rejected: 1, mismatched: 1, dropped: 0 });
    expect(reasons).toEqual(['not JSON']);
  });

  it('keeps only the newest when peers publish faster than the node trains', () => {
    const inbox = new PendingRollouts('me', 2, () => undefined);
    for (const id of ['q1', 'q2', 'q3']) inbox.add(encodeSharedRollout(rollout('p', id, ['a'])));
    expect(inbox.take(3, 1).map((r) => r.sample.id)).toEqual(['q2', 'q3']);
    expect(inbox.stats().dropped).toBe(1);
  });

  it('delivers every message of a memory swarm to the other members only', async () => {
    const swarm = new MemorySwarm();
    const a = swarm.join('a');
    const b = swarm.join('b');
    await a.publish([rollout('a', 'q1', ['x'])]);
    expect(await a.take(1, 1)).toEqual([]);
    expect((await b.take(1, 1)).map((r) => r.sample.id)).toEqual(['q1']);
  });

  it('names the stream after the swarm and refuses names that could reach other keys', () => {
    expect(swarmStreamKey('lab-1')).toBe('tirl:swarm:lab-1:rollouts');
    expect(() => swarmStreamKey('a:b')).toThrow(/--swarm-id "a:b" is not valid/);
  });
});
