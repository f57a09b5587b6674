import { policyText, type Tool, type ToolFormat } from '@tirl/core';
import { HermesFormat } from '../src/formats/hermes';
import { XmlTagsFormat } from '../src/formats/xml-tags';
import { linearRollout } from '../src';
import { echoTool, engineDefaults, makeInput } from './helpers';

interface Row {
  name: string;
  /** What the model writes in its first turn (the sampler cuts it at the first stop string). */
  model: string;
  /** The observation text appended after the turn (exact string or pattern); null: no observation. */
  observation: string | RegExp | null;
  record?: { name: string; ok: boolean; error?: string };
  answer?: string;
}

const searchTool = echoTool('search');
const pythonTool = echoTool('python', (code) => ({ ok: true, observation: `ran ${code}` }), 'code');
const lookupTool: Tool = {
  name: 'lookup',
  description: 'two-argument lookup',
  parameters: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, required: ['a', 'b'] },
  call: async () => ({ ok: true, observation: 'never' }),
};
const wrapH = (s: string) => `\n<tool_response>\n${s}\n</tool_response>\n`;
const wrapX = (s: string) => `\n<result>\n${s}\n</result>\n`;

const hermesRows: Row[] = [
  { name: 'valid call after text', model: 'Let me look. <tool_call>{"name":"search","arguments":{"query":"tirl"}}</tool_call>', observation: wrapH('result for tirl'), record: { name: 'search', ok: true } },
  { name: 'text after the call is never generated', model: '<tool_call>{"name":"search","arguments":{"query":"a"}}</tool_call> and more text', observation: wrapH('result for a'), record: { name: 'search', ok: true } },
  { name: 'arguments given as a JSON string', model: '<tool_call>{"name":"search","arguments":"{\\"query\\":\\"s\\"}"}</tool_call>', observation: wrapH('result for s'), record: { name: 'search', ok: true } },
  { name: 'malformed JSON', model: '<tool_call>{"name":"search","arguments":{"query":}}</tool_call>', observation: /^\n<tool_response>\nError \(parse\): invalid JSON in <tool_call> \(.+\); write \{"name": "<tool>", "arguments": \{\.\.\.\}\}\.\n<\/tool_response>\n$/, record: { name: '', ok: false, error: 'parse' } },
  { name: 'no name', model: '<tool_call>{"arguments":{}}</tool_call>', observation: wrapH('Error (parse): a tool call needs a string "name" and an object "arguments".'), record: { name: '', ok: false, error: 'parse' } },
  { name: 'unknown tool', model: '<tool_call>{"name":"browse","arguments":{"url":"x"}}</tool_call>', observation: wrapH('Error (unknown-tool): there is no tool named "browse". Available tools: search, python, lookup.'), record: { name: 'browse', ok: false, error: 'unknown-tool' } },
  { name: 'missing argument', model: '<tool_call>{"name":"search","arguments":{}}</tool_call>', observation: wrapH('Error (schema): arguments.query: required argument is missing.'), record: { name: 'search', ok: false, error: 'schema' } },
  { name: 'extra argument', model: '<tool_call>{"name":"search","arguments":{"query":"a","k":3}}</tool_call>', observation: wrapH('Error (schema): arguments.k: unknown argument (allowed: query).'), record: { name: 'search', ok: false, error: 'schema' } },
  { name: 'wrong argument type', model: '<tool_call>{"name":"search","arguments":{"query":3}}</tool_call>', observation: wrapH('Error (schema): arguments.query: expected string, got integer.'), record: { name: 'search', ok: false, error: 'schema' } },
  { name: 'nested tags', model: '<tool_call><tool_call>{"name":"search","arguments":{"query":"a"}}</tool_call></tool_call>', observation: wrapH('Error (parse): nested <tool_call> inside <tool_call>: write one call per block.'), record: { name: '', ok: false, error: 'parse' } },
  { name: 'unclosed call at EOS', model: '<tool_call>{"name":"search"', observation: wrapH('Error (parse): unclosed <tool_call>: end each call with </tool_call>.'), record: { name: '', ok: false, error: 'parse' } },
  { name: 'unicode arguments', model: '<tool_call>{"name":"search","arguments":{"query":"東京 🗼 naïve"}}</tool_call>', observation: wrapH('result for 東京 🗼 naïve'), record: { name: 'search', ok: true } },
  { name: 'no call is a final answer', model: '<think>easy</think> 4', observation: null, answer: '4' },
  { name: 'upper-case call tag', model: '<TOOL_CALL>{"name":"search","arguments":{"query":"a"}}</TOOL_CALL>', observation: wrapH('Error (parse): malformed tag <TOOL_CALL>: write <tool_call>…</tool_call> exactly (lower case, no spaces or attributes).'), record: { name: '', ok: false, error: 'parse' } },
  { name: 'call tag with a space', model: '<tool_call >{"name":"search","arguments":{"query":"a"}}</tool_call>', observation: wrapH('Error (parse): malformed tag <tool_call >: write <tool_call>…</tool_call> exactly (lower case, no spaces or attributes).'), record: { name: '', ok: false, error: 'parse' } },
  { name: 'other tags in an answer are fine', model: 'The <b>answer</b> is 4', observation: null, answer: 'The <b>answer</b> is 4' },
];

const xmlRows: Row[] = [
  { name: 'valid search', model: 'I search <search>tirl</search>', observation: wrapX('result for tirl'), record: { name: 'search', ok: true } },
  { name: 'valid python, body is the code', model: '<python>\nprint(1 < 2)\n</python>', observation: wrapX('ran print(1 < 2)'), record: { name: 'python', ok: true } },
  { name: 'text after the call is never generated', model: '<search>a</search> trailing', observation: wrapX('result for a'), record: { name: 'search', ok: true } },
  { name: 'unknown tool (tag without a tool)', model: '<calc>1+1</calc>', observation: wrapX('Error (unknown-tool): there is no tool named "calc". Available tools: search, python, lookup.'), record: { name: 'calc', ok: false, error: 'unknown-tool' } },
  { name: 'missing argument (tool needs two)', model: '<lookup>x</lookup>', observation: wrapX('Error (schema): arguments: expected object, got string.'), record: { name: 'lookup', ok: false, error: 'schema' } },
  { name: 'nested tags: the sampler stops at the inner close tag', model: '<python>print("<search>x</search>")</python>', observation: wrapX('Error (parse): unclosed <python>: end it with </python>.'), record: { name: '', ok: false, error: 'parse' } },
  { name: 'malformed: unclosed tag at EOS', model: '<search>abc', observation: wrapX('Error (parse): unclosed <search>: end it with </search>.'), record: { name: '', ok: false, error: 'parse' } },
  { name: 'unicode body', model: '<search>Zürich ☃ 日本</search>', observation: wrapX('result for Zürich ☃ 日本'), record: { name: 'search', ok: true } },
  { name: 'answer tag ends the rollout', model: 'so <answer> 4 </answer>', observation: null, answer: '4' },
  { name: 'unknown tag', model: '<calculator>2+2</calculator>', observation: wrapX('Error (parse): unknown tag <calculator>: the tags are <python>, <search>, <calc>, <lookup>, <answer>.'), record: { name: '', ok: false, error: 'parse' } },
  { name: 'upper-case tool tag', model: '<SEARCH>x</SEARCH>', observation: wrapX('Error (parse): malformed tag <SEARCH>: write <search>…</search> exactly (lower case, no spaces or attributes).'), record: { name: '', ok: false, error: 'parse' } },
  { name: 'tool tag with a space', model: '<search >x</search>', observation: wrapX('Error (parse): malformed tag <search >: write <search>…</search> exactly (lower case, no spaces or attributes).'), record: { name: '', ok: false, error: 'parse' } },
  { name: 'think tags are reasoning, the rest the answer', model: '<think>2+2</think> 4', observation: null, answer: '<think>2+2</think> 4' },
  { name: 'a tag inside a call body is the tool\'s business', model: '<python>print("<div>x</div>")</python>', observation: wrapX('ran print("<div>x</div>")'), record: { name: 'python', ok: true } },
];

function runTable(title: string, format: ToolFormat, rows: Row[]) {
  describe(title, () => {
    for (const row of rows) {
      it(row.name, async () => {
        const { input } = makeInput(({ rowTurn }) => (rowTurn === 0 ? row.model : 'done'), { toolFormat: format, tools: [searchTool, pythonTool, lookupTool] });
        const strategy = linearRollout.create({ ...engineDefaults, countSharedOnce: true }, {} as never);
        const [t] = (await strategy.rollout(input)).trees[0].trajectories;
        const toolSegs = t.segments.filter((s) => s.source === 'tool');
        if (row.observation === null) {
          expect(toolSegs).toHaveLength(0);
          expect(t.finishReason).toBe('stop');
          expect(t.meta?.answer).toBe(row.answer);
          return;
        }
        expect(toolSegs).toHaveLength(1);
        if (typeof row.observation === 'string') expect(toolSegs[0].text).toBe(row.observation);
        else expect(toolSegs[0].text).toMatch(row.observation);
        expect(t.toolCalls).toHaveLength(1);
        expect(t.toolCalls[0]).toMatchObject(row.record!);
        // The rollout goes on after the observation: the second turn answers.
        expect(t.finishReason).toBe('stop');
        expect(policyText(t).endsWith('done')).toBe(true);
      });
    }
  });
}

runTable('toolFormat/hermes conformance', new HermesFormat({ stopAfterCall: true, observationPrefix: '\n', observationSuffix: '\n' }), hermesRows);
runTable('toolFormat/xml-tags conformance', new XmlTagsFormat({ tags: ['python', 'search', 'calc', 'lookup'], answerTag: 'answer', observationTag: 'result' }), xmlRows);

describe('format details', () => {
  it('hermes without stopAfterCall parses several calls in one turn, in order', () => {
    const f = new HermesFormat({ stopAfterCall: false, observationPrefix: '', observationSuffix: '' });
    expect(f.stopStrings).toEqual([]);
    const r = f.parse('<tool_call>{"name":"a","arguments":{}}</tool_call>\n<tool_call>{"name":"b"}</tool_call>');
    expect(r.calls.map((c) => [c.name, c.args])).toEqual([['a', {}], ['b', {}]]);
  });
  it('xml-tags stop strings are the close tags of tools and the answer', () => {
    const f = new XmlTagsFormat({ tags: ['python', 'search'], answerTag: 'answer', observationTag: 'result' });
    expect(f.stopStrings).toEqual(['</python>', '</search>', '</answer>']);
    expect(f.describeTools([searchTool])).toContain('<search>query</search>');
  });
});
