import * as tf from '@tensorflow/tfjs-core';
import { TirlError } from '../errors';
import type { Trajectory } from './trajectory';

export type RowKind = 'root' | 'child' | 'pad';

/**
 * Trajectories as padded tensors. Position t of every `[B, T]` tensor describes token `ids[b, t]`:
 * `oldLogProbs[b, t]` is log π(ids[b, t] | ids[b, <t]) and `lossMask[b, t]` is 1 exactly where that
 * token came from a `policy` segment (and is not a shared prefix owned by another row).
 */
export interface Batch {
  /** `[B, T]` int32 token ids, right-padded with the pad id. */
  ids: tf.Tensor2D;
  /** `[B, T]` float32: 1 for real tokens, 0 for padding. */
  attentionMask: tf.Tensor2D;
  /** `[B, T]` float32: 1 exactly on trained policy tokens. */
  lossMask: tf.Tensor2D;
  /** `[B, T]` float32 behaviour log-probs, 0 off the loss mask. */
  oldLogProbs: tf.Tensor2D;
  /** `[B]` dense group index per row (-1 for pad rows). */
  groupIds: Int32Array;
  /** `[B]` dense root index per row (-1 for pad rows). */
  rootIds: Int32Array;
  rowKinds: RowKind[];
  /** Row-aligned trajectories; `null` for pad rows. */
  trajectories: (Trajectory | null)[];
  /** Real token count of each row. */
  lengths: number[];
  /** The loss mask as plain numbers, row-major, for cheap host-side statistics. */
  lossMaskValues: Float32Array;
  dispose(): void;
}

export interface BuildBatchOptions {
  padTokenId?: number;
  /** Pad the time axis to at least this length. */
  minLength?: number;
  /** Fail on rows longer than this. */
  maxLength?: number;
  /** Add all-zero pad rows until the batch has this many rows. */
  padRowsTo?: number;
}

/** Builds padded tensors from trajectories. Pad rows are all zero and carry group/root id -1. */
export function buildBatch(trajectories: readonly Trajectory[], options: BuildBatchOptions = {}): Batch {
  const padTokenId = options.padTokenId ?? 0;
  const rows = trajectories.map(flattenRow);
  const longest = rows.reduce((m, r) => Math.max(m, r.ids.length), 0);
  if (options.maxLength !== undefined && longest > options.maxLength) {
    const bad = trajectories[rows.findIndex((r) => r.ids.length > options.maxLength!)];
    throw new TirlError(
      `buildBatch: trajectory "${bad.id}" has ${longest} tokens, more than maxLength ${options.maxLength}`,
      'invalid-data',
    );
  }
  const T = Math.max(1, longest, options.minLength ?? 0);
  const B = Math.max(trajectories.length, options.padRowsTo ?? 0);
  const ids = new Int32Array(B * T).fill(padTokenId);
  const attention = new Float32Array(B * T);
  const loss = new Float32Array(B * T);
  const old = new Float32Array(B * T);
  const groupIds = new Int32Array(B).fill(-1);
  const rootIds = new Int32Array(B).fill(-1);
  const rowKinds: RowKind[] = new Array(B).fill('pad');
  const groupIndex = denseIndex(trajectories.map((t) => t.groupId));
  const rootIndex = denseIndex(trajectories.map((t) => t.rootId));

  rows.forEach((row, b) => {
    const t = trajectories[b];
    ids.set(row.ids, b * T);
    attention.fill(1, b * T, b * T + row.ids.length);
    loss.set(row.loss, b * T);
    old.set(row.logProbs, b * T);
    groupIds[b] = groupIndex.get(t.groupId)!;
    rootIds[b] = rootIndex.get(t.rootId)!;
    rowKinds[b] = t.parentId === undefined ? 'root' : 'child';
  });
  for (let b = trajectories.length; b < B; b++) ids.fill(0, b * T, (b + 1) * T);

  const tensors = {
    ids: tf.tensor2d(ids, [B, T], 'int32'),
    attentionMask: tf.tensor2d(attention, [B, T]),
    lossMask: tf.tensor2d(loss, [B, T]),
    oldLogProbs: tf.tensor2d(old, [B, T]),
  };
  return {
    ...tensors,
    groupIds,
    rootIds,
    rowKinds,
    trajectories: [...trajectories, ...new Array<null>(B - trajectories.length).fill(null)],
    lengths: [...rows.map((r) => r.ids.length), ...new Array<number>(B - trajectories.length).fill(0)],
    lossMaskValues: loss,
    dispose: () => tf.dispose(Object.values(tensors)),
  };
}

interface FlatRow {
  ids: number[];
  loss: number[];
  logProbs: number[];
}

function flattenRow(t: Trajectory): FlatRow {
  const row: FlatRow = { ids: [], loss: [], logProbs: [] };
  for (const seg of t.segments) {
    const isPolicy = seg.source === 'policy';
    if (isPolicy && (!seg.logProbs || seg.logProbs.length !== seg.tokenIds.length)) {
      throw new TirlError(
        `buildBatch: trajectory "${t.id}" has a policy segment of ${seg.tokenIds.length} tokens with ` +
          `${seg.logProbs?.length ?? 0} behaviour log-probs; they must match`,
        'invalid-data',
      );
    }
    if (isPolicy && seg.images?.length) {
      throw new TirlError(`buildBatch: trajectory "${t.id}" has a policy segment carrying images; images belong to prompt or tool segments (image tokens are never trained)`, 'invalid-data');
    }
    seg.tokenIds.forEach((id, i) => {
      row.ids.push(id);
      row.loss.push(isPolicy ? 1 : 0);
      row.logProbs.push(isPolicy ? seg.logProbs![i] : 0);
    });
  }
  const shared = Math.min(t.sharedPrefixLength ?? 0, row.ids.length);
  for (let i = 0; i < shared; i++) {
    row.loss[i] = 0;
    row.logProbs[i] = 0;
  }
  return row;
}

function denseIndex(keys: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  for (const k of keys) if (!index.has(k)) index.set(k, index.size);
  return index;
}

/** The rows `rows` of a batch as a new batch (micro-batching); group and root ids stay global. */
export function sliceRows(batch: Batch, rows: readonly number[]): Batch {
  const T = batch.ids.shape[1];
  const index = tf.tensor1d(Array.from(rows), 'int32');
  const tensors = {
    ids: tf.gather(batch.ids, index) as tf.Tensor2D,
    attentionMask: tf.gather(batch.attentionMask, index) as tf.Tensor2D,
    lossMask: tf.gather(batch.lossMask, index) as tf.Tensor2D,
    oldLogProbs: tf.gather(batch.oldLogProbs, index) as tf.Tensor2D,
  };
  index.dispose();
  const lossMaskValues = new Float32Array(rows.length * T);
  rows.forEach((r, i) => lossMaskValues.set(batch.lossMaskValues.subarray(r * T, (r + 1) * T), i * T));
  return {
    ...tensors,
    groupIds: Int32Array.from(rows, (r) => batch.groupIds[r]),
    rootIds: Int32Array.from(rows, (r) => batch.rootIds[r]),
    rowKinds: rows.map((r) => batch.rowKinds[r]),
    trajectories: rows.map((r) => batch.trajectories[r]),
    lengths: rows.map((r) => batch.lengths[r]),
    lossMaskValues,
    dispose: () => tf.dispose(Object.values(tensors)),
  };
}

/** Row indices grouped so that a root and all its descendants stay together, in first-seen order. */
export function rowsByRoot(batch: Pick<Batch, 'rootIds' | 'rowKinds'>): number[][] {
  const byRoot = new Map<number, number[]>();
  batch.rowKinds.forEach((kind, b) => {
    if (kind === 'pad') return;
    const list = byRoot.get(batch.rootIds[b]) ?? [];
    list.push(b);
    byRoot.set(batch.rootIds[b], list);
  });
  return [...byRoot.values()];
}
