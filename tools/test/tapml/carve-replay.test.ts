import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '@tirl/core';
import { carveOps } from '../../tapml/carve';
import { replayOps } from '../../tapml/replay';

/**
 * A backend that is the CPU backend with one broken kernel: `Relu` returns its input unchanged. Every other
 * kernel is the CPU one, registered again under this backend's name.
 */
const BROKEN = 'tapml-broken-relu';
function registerBrokenBackend(): void {
  if (tf.findBackend(BROKEN)) return;
  tf.registerBackend(BROKEN, () => new MathBackendCPU());
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (k.kernelName === 'Relu') continue;
    tf.registerKernel({ ...k, backendName: BROKEN });
  }
  tf.registerKernel({
    kernelName: 'Relu',
    backendName: BROKEN,
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      const cpu = backend as MathBackendCPU;
      return cpu.makeTensorInfo(x.shape, x.dtype, cpu.data.get(x.dataId).values as Float32Array);
    },
  });
}

beforeAll(async () => {
  await initBackend({ force: 'cpu' });
  registerBrokenBackend();
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

const x = [[1, -2], [3, 4]];
const w = [[1, 0], [0, -1]];
// y = relu(x·W): x·W = [[1, 2], [3, −4]] (column 2 negated) → relu → [[1, 2], [3, 0]].
const graph = () => tf.tidy(() => tf.relu(tf.matMul(tf.tensor2d(x), tf.tensor2d(w))).dataSync());

describe('TapML carve and replay', () => {
  it('carves the kernels of a run with their reference outputs', () => {
    const { records, calls } = carveOps(graph, { maxPerKernel: 3, maxElements: 1000 });
    expect(records.map((r) => r.kernel)).toEqual(['BatchMatMul', 'Relu']);
    expect(calls).toEqual({ BatchMatMul: 1, Relu: 1 });
    expect(records[1].outputs[0].values).toEqual([1, 2, 3, 0]);
  });

  it('worked example: a backend whose relu returns x is flagged at relu only; matMul matches', async () => {
    const { records } = carveOps(graph, { maxPerKernel: 3, maxElements: 1000 });
    await tf.setBackend(BROKEN);
    const report = replayOps(records, BROKEN, { rtol: 1e-6, atol: 1e-6 });
    await tf.setBackend('cpu');
    expect(report.verdicts.map((v) => [v.kernel, v.status])).toEqual([['BatchMatMul', 'match'], ['Relu', 'diverged']]);
    // The broken relu gives −4 where the reference has 0: max |error| = 4.
    expect(report.first).toMatchObject({ kernel: 'Relu', maxAbsError: 4 });
    expect(report).toMatchObject({ ops: 2, matched: 1, diverged: 1, missing: 0, errors: 0 });
  });

  it('replays list inputs (Concat) and keeps at most maxPerKernel calls per kernel', () => {
    const { records } = carveOps(
      () => tf.tidy(() => [1, 2, 3].forEach((i) => tf.concat([tf.tensor1d([i]), tf.tensor1d([i + 1])]).dataSync())),
      { maxPerKernel: 2, maxElements: 1000 },
    );
    const concats = records.filter((r) => r.kernel === 'Concat');
    expect(concats).toHaveLength(2);
    expect(concats[0].inputList).toBe(true);
    expect(replayOps(concats, 'cpu', { rtol: 0, atol: 0 })).toMatchObject({ matched: 2, diverged: 0, errors: 0 });
  });

  it('a kernel the backend lacks is reported missing, not failed', () => {
    const rec = { index: 0, kernel: 'NoSuchKernel', inputs: {}, attrs: {}, outputs: [] };
    expect(replayOps([rec], 'cpu', { rtol: 0, atol: 0 }).verdicts[0]).toMatchObject({ status: 'missing' });
  });
});
