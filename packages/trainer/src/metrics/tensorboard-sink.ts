import { appendFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { fileVersionEvent, scalarsEvent, tfRecord } from './tfevents/encode';

/**
 * `metricSink/tensorboard`: writes every step's metrics as scalars to a TensorBoard event file
 * (`LOGDIR/events.out.tfevents.<seconds>.<host>.<pid>`), so `tensorboard --logdir LOGDIR` shows the run.
 * Each step is appended as one framed record, so a crash loses at most the step being written.
 */
export const tensorboardSink = definePlugin({
  kind: 'metricSink',
  name: 'tensorboard',
  summary: 'Writes every step’s metrics as TensorBoard scalars (an events.out.tfevents file)',
  paper: {
    title: 'TensorFlow: Large-Scale Machine Learning on Heterogeneous Distributed Systems',
    arxiv: '1603.04467',
    section: '9.1 (TensorBoard: summary statistics); file layout from TensorFlow event.proto, summary.proto and the TFRecord format',
  },
  options: z
    .object({
      logdir: z.string().min(1).default('runs/latest/tensorboard'),
      /** Metric keys to leave out (exact keys or prefixes ending in `/`). */
      exclude: z.array(z.string().min(1)).default(['step']),
    })
    .strict(),
  create: (options) => {
    mkdirSync(options.logdir, { recursive: true });
    const file = join(options.logdir, `events.out.tfevents.${Math.floor(Date.now() / 1000)}.${hostname()}.${process.pid}`);
    appendFileSync(file, tfRecord(fileVersionEvent(Date.now() / 1000)));
    const left = (key: string) => options.exclude.some((e) => key === e || (e.endsWith('/') && key.startsWith(e)));
    return {
      file,
      write: (step: number, metrics: Record<string, number>) => {
        const scalars = Object.fromEntries(Object.entries(metrics).filter(([k, v]) => typeof v === 'number' && !left(k)));
        appendFileSync(file, tfRecord(scalarsEvent(Date.now() / 1000, step, scalars)));
      },
    };
  },
});
