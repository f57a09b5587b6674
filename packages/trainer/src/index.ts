import type { AnyPluginDefinition } from '@tirl/core';
import { jsonlSink } from './metrics/jsonl-sink';
import { tensorboardSink } from './metrics/tensorboard-sink';

export { parseTrainerSettings, trainerSettingsSchema, type TrainerSettings } from './settings';
export { AdamW, type AdamWConfig, type AdamWState } from './optim/adamw';
export { learningRate } from './optim/schedule';
export { Trainer, type TrainerOptions } from './loop/trainer';
export { miniBatchGradients, miniBatchRows, updatePolicy } from './loop/update';
export { microBatchLoss } from './loop/loss';
export { zeroMaskedRows } from './loop/masked-rows';
export { scoreTrajectories } from './loop/rewards';
export type { TrainableModel } from './loop/model';
export { saveCheckpoint, loadCheckpoint, latestCheckpoint, type TrainerState } from './checkpoint/checkpoint';
export { train, type TrainOptions, type TrainResult } from './run';
export type { SwarmOptions } from './rollouts/swarm';
export type { QueueOptions } from './rollouts/queue';
export { ProgressLine } from './metrics/progress';
export { jsonlSink, tensorboardSink };
export { crc32c, maskedCrc32c } from './metrics/tfevents/crc32c';

/** Plugins this package provides (metric sinks). */
export const plugins: readonly AnyPluginDefinition[] = [jsonlSink, tensorboardSink];
export { evaluate, type EvalOptions, type EvalResult } from './eval';
export { DEFAULT_CHARTS, lineChartSvg, readMetrics, writeReport } from './report/charts';
export * from './trajectory-log/format';
export { kindOf, stepRecord, treesToLog, type RowTokenStats, type TrajectoryLogLimits } from './trajectory-log/record';
export { startViewServer, type ViewOptions, type ViewServer } from './view/server';
export { RunFiles, type StepSummary } from './view/run-files';
