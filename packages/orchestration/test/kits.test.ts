import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseOptions } from '@tirl/core';
import { runRewardKit, runRouterKit, runToolKit } from '@tirl/core/testing';
import { agentTool, chatModelTool, matpoReward, matpoRouter, orchestratorRouter } from '../src';

runRouterKit(matpoRouter, { invalid: [{ options: { workerRole: 'planner' }, field: 'workerRole' }, { options: { maxDepth: 0 }, field: 'maxDepth' }] });
runRouterKit(matpoRouter, { valid: { maxDepth: 2 } });
runRouterKit(orchestratorRouter, {
  valid: { tools: ['search'] },
  invalid: [{ options: { tools: [] }, field: 'models' }, { options: { tools: ['x', 'x'] }, field: 'models' }],
});
runRewardKit(matpoReward, { invalid: [{ options: { plannerShare: 2 }, field: 'plannerShare' }, { options: { emptyWorkers: 'none' }, field: 'emptyWorkers' }] });

// The agent tool spawns through the engine; here a spawn that answers at once stands in for it.
runToolKit(agentTool, {
  invalid: [{ options: { workerTemplate: 'no placeholder' }, field: 'workerTemplate' }],
  context: { spawn: async (req) => ({ childId: 'child-0', text: `done: ${req.messages.at(-1)?.content ?? ''}`, ok: true }) },
  calls: [
    { args: { subtask: 'find the capital of France' }, ok: true, observation: /find the capital of France/ },
    { args: { subtask: '' }, ok: false },
  ],
});

let server: Server;
let baseUrl = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const prompt = (JSON.parse(data) as { messages: { content: string }[] }).messages[0].content;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: `echo ${prompt}` } }], usage: { total_tokens: 10 } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

runToolKit(chatModelTool, {
  valid: { name: 'big', baseUrl: 'http://localhost:1', model: 'm' },
  invalid: [{ options: { baseUrl: 'not a url' }, field: 'baseUrl' }, { options: { costPerCall: -1 }, field: 'costPerCall' }],
  create: (ctx) => chatModelTool.create(parseOptions(chatModelTool.id, chatModelTool.options, { name: 'big', baseUrl, model: 'm' }), ctx),
  calls: [{ args: { prompt: 'hello' }, ok: true, observation: /echo hello/ }],
});
