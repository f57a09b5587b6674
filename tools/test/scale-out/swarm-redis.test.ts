import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, resolveRecipe } from '@tirl/core';
import { redisSharing, startRedisServer, swarmStreamKey, type RedisServer } from '@tirl/scale-out';
import { train } from '@tirl/trainer';
import { Redis } from 'ioredis';
import { dataset, describeWithRedis, newModel, testPlugins, testRecipe, tokenizer } from './task';

describeWithRedis('Swarm SAPO on Redis', () => {
  let redis: RedisServer;
  let dir: string;
  beforeAll(async () => {
    await initBackend({ force: 'cpu' });
    redis = await startRedisServer();
    dir = mkdtempSync(join(tmpdir(), 'tirl-swarm-redis-'));
  });
  afterAll(async () => {
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shares rollouts between two nodes through the stream', async () => {
    const base = resolveRecipe(testRecipe, undefined, { recipes: [] });
    const recipe = { ...base, settings: { ...base.settings, steps: 2, promptsPerStep: 2, groupSize: 2, swarm: { external: 1 }, oldLogProbs: 'recompute', scaleOut: { groupsPerJob: null } } };
    const lines: string[] = [];
    const node = (name: string) =>
      train({
        recipe, model: newModel(), tokenizer, dataset, runDir: join(dir, name), plugins: testPlugins, progress: false,
        swarm: { url: redis.url, swarmId: 'lab', node: name, waitSeconds: 30, log: (l) => lines.push(l) },
      });
    const [n1, n2] = await Promise.all([node('n1'), node('n2')]);

    for (const { history } of [n1, n2]) {
      expect(history.map((m) => m['swarm/external_groups'])).toEqual([1, 1]);
      expect(history.map((m) => m['filter/kept_groups'])).toEqual([3, 3]);
    }
    expect(lines.filter((l) => l.includes('refused'))).toEqual([]);
  });

  it("counts and reports a hostile peer's message, and goes on", async () => {
    const lines: string[] = [];
    const me = await redisSharing({ url: redis.url, swarmId: 'hostile', node: 'me', log: (l) => lines.push(l) });
    const hostile = new Redis(redis.url);
    await hostile.xadd(swarmStreamKey('hostile'), '*', 'rollout', '{"protocol":1,"node":"evil","round":0}');
    await hostile.xadd(swarmStreamKey('hostile'), '*', 'other-field', 'x');
    hostile.disconnect();
    expect(await me.take(5, 1)).toEqual([]);
    expect(me.stats().rejected).toBe(2);
    expect(lines[0]).toMatch(/swarm node me: refused a peer's rollout \(sample: /);
    expect(lines[1]).toMatch(/refused a peer's rollout \(not JSON\)/);
    await me.close();
  });

  it('starts a late node at the end of the stream', async () => {
    const early = await redisSharing({ url: redis.url, swarmId: 'late', node: 'early', log: () => undefined });
    const rollout = (id: string) => ({ node: 'early', round: 0, sample: { id, messages: [{ role: 'user', content: id }] }, completions: ['x'] });
    await early.publish([rollout('before')]);
    const late = await redisSharing({ url: redis.url, swarmId: 'late', node: 'late', log: () => undefined });
    await early.publish([rollout('after')]);
    expect((await late.take(5, 1)).map((r) => r.sample.id)).toEqual(['after']);
    await Promise.all([early.close(), late.close()]);
  });
});
