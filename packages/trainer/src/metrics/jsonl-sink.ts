import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';

/** `metricSink/jsonl`: appends one JSON object per step (`{ "step": n, ...metrics }`) to a file. */
export const jsonlSink = definePlugin({
  kind: 'metricSink',
  name: 'jsonl',
  summary: 'Appends every step’s metrics as one JSON line to a file',
  options: z.object({ path: z.string().min(1).default('runs/latest/metrics.jsonl') }).strict(),
  create: (options) => {
    mkdirSync(dirname(options.path), { recursive: true });
    return {
      write: (step: number, metrics: Record<string, number>) =>
        appendFileSync(options.path, JSON.stringify({ ...metrics, step }) + '\n'),
    };
  },
});
