import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOptions } from '@tirl/core';
import { runMetricSinkKit } from '@tirl/core/testing';
import { jsonlSink } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'tirl-jsonl-sink-'));
let path = '';
let runs = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runMetricSinkKit(jsonlSink, {
  invalid: [{ options: { path: '' }, field: 'path' }],
  create: (ctx) => {
    path = join(dir, `run-${runs++}`, 'metrics.jsonl');
    return jsonlSink.create(parseOptions(jsonlSink.id, jsonlSink.options, { path }), ctx);
  },
  read: () => readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, number | null>),
});
