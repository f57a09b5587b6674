import { parseOptions, type PluginContext, type Tool } from '@tirl/core';
import { runToolKit, testPluginContext } from '@tirl/core/testing';
import { apiDocumentText, apiRetrieverTool, type ApiRetrieverTool } from '../src';

const tool = (name: string, description: string, properties: Record<string, unknown> = {}, required: string[] = []): Tool => ({
  name,
  description,
  parameters: { type: 'object', properties, required },
  call: async () => ({ ok: true, observation: '' }),
});
const registry = new Map<string, Tool>(
  [
    tool('get_weather', 'Current weather forecast for a city', { city: { type: 'string' } }, ['city']),
    tool('stock_price', 'Latest stock price of a ticker symbol', { ticker: { type: 'string' } }, ['ticker']),
    tool('translate', 'Translate text between languages', { text: { type: 'string' }, target: { type: 'string' } }, ['text']),
    tool('calendar_add', 'Add an event to the calendar on a date', { date: { type: 'string' } }, ['date']),
  ].map((t) => [t.name, t]),
);
const withTools = (ctx: PluginContext): PluginContext => ({ ...ctx, services: { tools: registry } });
const make = (options: Record<string, unknown> = {}) =>
  apiRetrieverTool.create(parseOptions(apiRetrieverTool.id, apiRetrieverTool.options, options), withTools(testPluginContext(apiRetrieverTool.id))) as ApiRetrieverTool;

runToolKit(apiRetrieverTool, {
  create: (ctx) => apiRetrieverTool.create(parseOptions(apiRetrieverTool.id, apiRetrieverTool.options, { topK: 2 }), withTools(ctx)),
  calls: [
    { args: { query: 'weather forecast in Paris' }, ok: true, observation: /^\{"name":"get_weather"/ },
    { args: { query: '' }, ok: false },
  ],
  invalid: [{ options: { topK: 0 }, field: 'topK' }, { options: { bm25: { b: 2 } }, field: 'bm25.b' }],
});

describe('tool/api-retriever (ToolLLM)', () => {
  it('writes ToolBench\'s document: category, tool, api, description, required and optional parameters', () => {
    expect(apiDocumentText({ name: 'translate', description: 'Translate text', category: 'Text', parameters: registry.get('translate')!.parameters })).toBe(
      'Text, translate, translate, Translate text, required_params: [{"name":"text","type":"string"}], optional_params: [{"name":"target","type":"string"}]',
    );
  });

  it('ranks by the need and keeps the top k', async () => {
    const r = make({ topK: 2 });
    expect((await r.retrieve('stock price for a ticker')).map((a) => a.name)[0]).toBe('stock_price');
    expect((await r.retrieve('add an event on a date to my calendar')).map((a) => a.name)[0]).toBe('calendar_add');
    expect(await r.retrieve('translate weather')).toHaveLength(2);
    // A query matching nothing returns nothing.
    expect(await r.retrieve('zzz')).toEqual([]);
  });

  it('over an MCP server\'s tool list: the reference "everything" server over stdio', async () => {
    const everything = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
    const r = make({ topK: 3, server: { transport: 'stdio', command: process.execPath, args: [everything, 'stdio'] } });
    // get-sum: "Returns the sum of two numbers"; echo: "Echoes back the input string".
    expect((await r.retrieve('sum of two numbers'))[0].name).toBe('get-sum');
    expect((await r.retrieve('echo back a string'))[0].name).toBe('echo');
  }, 60_000);
});
