import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, parseOptions, resolveRecipe } from '@tirl/core';
import { runMetricSinkKit } from '@tirl/core/testing';
import { crc32c, maskedCrc32c, tensorboardSink, train } from '../src';
import { dataset, newModel, testPlugins, testRecipe, tokenizer } from './task';

/*
 * An independent reader of TensorBoard event files, written from the format's definitions rather than
 * from the sink's code: TFRecord framing (tensorflow/core/lib/io/record_writer.cc: u64 LE length, masked
 * CRC-32C of those 8 bytes, data, masked CRC-32C of the data) and the protobuf messages
 * (tensorboard/compat/proto/event.proto: Event { double wall_time = 1; int64 step = 2; oneof what {
 * string file_version = 3; ... Summary summary = 5; ... } }; summary.proto: Summary { repeated Value
 * value = 1 }, Value { string node_name = 7; string tag = 1; oneof value { float simple_value = 2; ... } }).
 */

/** Bit-at-a-time CRC-32C (no table), reflected Castagnoli polynomial 0x82F63B78. */
function referenceCrc32c(bytes: Uint8Array): number {
  let crc = ~0 >>> 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? ((crc >>> 1) ^ 0x82f63b78) >>> 0 : crc >>> 1;
  }
  return ~crc >>> 0;
}
const referenceMask = (crc: number) => (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;

interface Field {
  field: number;
  wire: number;
  value: bigint | Buffer | number;
}

function readVarint(buf: Buffer, at: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[at++];
    result |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if (!(b & 0x80)) return [result, at];
  }
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, n] = readVarint(buf, at);
      out.push({ field, wire, value: v });
      at = n;
    } else if (wire === 1) {
      out.push({ field, wire, value: buf.readDoubleLE(at) });
      at += 8;
    } else if (wire === 5) {
      out.push({ field, wire, value: buf.readFloatLE(at) });
      at += 4;
    } else if (wire === 2) {
      const [len, n] = readVarint(buf, at);
      out.push({ field, wire, value: buf.subarray(n, n + Number(len)) });
      at = n + Number(len);
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return out;
}

interface DecodedEvent {
  wallTime: number;
  step?: number;
  fileVersion?: string;
  scalars: Record<string, number>;
}

function decodeEventFile(path: string): DecodedEvent[] {
  const buf = readFileSync(path);
  const events: DecodedEvent[] = [];
  let at = 0;
  while (at < buf.length) {
    const lengthBytes = buf.subarray(at, at + 8);
    const length = Number(buf.readBigUInt64LE(at));
    expect(buf.readUInt32LE(at + 8)).toBe(referenceMask(referenceCrc32c(lengthBytes)));
    const data = buf.subarray(at + 12, at + 12 + length);
    expect(buf.readUInt32LE(at + 12 + length)).toBe(referenceMask(referenceCrc32c(data)));
    at += 12 + length + 4;
    const event: DecodedEvent = { wallTime: NaN, scalars: {} };
    for (const f of fields(data)) {
      if (f.field === 1) event.wallTime = f.value as number;
      if (f.field === 2) event.step = Number(f.value as bigint);
      if (f.field === 3) event.fileVersion = (f.value as Buffer).toString('utf8');
      if (f.field === 5) {
        for (const v of fields(f.value as Buffer).filter((x) => x.field === 1)) {
          const parts = fields(v.value as Buffer);
          const tag = (parts.find((p) => p.field === 1)!.value as Buffer).toString('utf8');
          event.scalars[tag] = parts.find((p) => p.field === 2)!.value as number;
        }
      }
    }
    events.push(event);
  }
  return events;
}

const dir = mkdtempSync(join(tmpdir(), 'tirl-tensorboard-sink-'));
let logdir = '';
let runs = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const eventFile = (d: string) => join(d, readdirSync(d).find((f) => f.startsWith('events.out.tfevents.'))!);

describe('CRC-32C', () => {
  it('matches the published check value: crc32c("123456789") = 0xE3069283 (RFC 3720 B.4 / the CRC catalogue)', () => {
    const bytes = Buffer.from('123456789', 'ascii');
    expect(referenceCrc32c(bytes)).toBe(0xe3069283);
    expect(crc32c(bytes)).toBe(0xe3069283);
  });

  it('masks as TFRecord does: rotate right 15, add 0xa282ead8', () => {
    // 0xE3069283 rotated right by 15 = (0xE3069283 >>> 15) | (0xE3069283 << 17) mod 2^32
    //   = 0x0001C60D | 0x25060000 = 0x2507C60D; + 0xA282EAD8 = 0xC78AB0E5.
    expect(maskedCrc32c(Buffer.from('123456789', 'ascii'))).toBe(0xc78ab0e5);
    // 32 zero bytes: CRC-32C 0x8A9136AA (RFC 3720 B.4).
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
  });
});

runMetricSinkKit(tensorboardSink, {
  invalid: [
    { options: { logdir: '' }, field: 'logdir' },
    { options: { exclude: [''] }, field: 'exclude' },
  ],
  create: (ctx) => {
    logdir = join(dir, `run-${runs++}`);
    return tensorboardSink.create(parseOptions(tensorboardSink.id, tensorboardSink.options, { logdir }), ctx);
  },
  // Scalars are float32 on disk: the kit's values (0.5, 0.125, -0.25, 1, 8) are exact in float32.
  read: () =>
    decodeEventFile(eventFile(logdir))
      .slice(1)
      .map((e) => ({ step: e.step!, ...e.scalars })),
});

describe('metricSink/tensorboard event file', () => {
  it('starts with the file-version event, then one event per step whose scalars decode to the written values', () => {
    const d = join(dir, 'by-hand');
    const sink = tensorboardSink.create(parseOptions(tensorboardSink.id, tensorboardSink.options, { logdir: d, exclude: ['step', 'time/'] }), {
      id: 'metricSink/tensorboard',
    } as never) as { write: (s: number, m: Record<string, number>) => void };
    const before = Date.now() / 1000;
    sink.write(300, { step: 300, 'reward/mean': 0.1, 'time/step_s': 2, 'loss/total': -3.5 });
    sink.write(2 ** 40, { 'reward/mean': Number.NaN });
    const events = decodeEventFile(eventFile(d));
    expect(events[0].fileVersion).toBe('brain.Event:2');
    expect(events).toHaveLength(3);
    // step 300 needs a two-byte varint (0xAC 0x02); 2^40 a six-byte one.
    expect(events[1].step).toBe(300);
    expect(events[2].step).toBe(2 ** 40);
    // 0.1 is stored as float32: Math.fround(0.1) = 0.100000001490116…
    expect(events[1].scalars).toEqual({ 'reward/mean': Math.fround(0.1), 'loss/total': -3.5 });
    expect(Number.isNaN(events[2].scalars['reward/mean'])).toBe(true);
    expect(events[1].wallTime).toBeGreaterThanOrEqual(before - 1);
  });

  it('encodes a known event byte for byte', () => {
    const d = join(dir, 'bytes');
    const sink = tensorboardSink.create(parseOptions(tensorboardSink.id, tensorboardSink.options, { logdir: d }), { id: 'metricSink/tensorboard' } as never) as {
      write: (s: number, m: Record<string, number>) => void;
    };
    sink.write(1, { a: 1 });
    const buf = readFileSync(eventFile(d));
    const first = 12 + Number(buf.readBigUInt64LE(0)) + 4;
    const data = buf.subarray(first + 12, first + 12 + Number(buf.readBigUInt64LE(first)));
    // Event: 0x09 + 8 bytes wall_time, 0x10 0x01 (step 1), 0x2a len Summary;
    // Summary: 0x0a len Value; Value: 0x0a 0x01 'a', 0x15 + float32 1.0 (00 00 80 3f).
    const value = [0x0a, 0x01, 0x61, 0x15, 0x00, 0x00, 0x80, 0x3f];
    const summary = [0x0a, value.length, ...value];
    expect([...data.subarray(9)]).toEqual([0x10, 0x01, 0x2a, summary.length, ...summary]);
    expect(data[0]).toBe(0x09);
  });
});

describe('metricSink/tensorboard in a run', () => {
  it('gets every step of train() when the recipe names it', async () => {
    await initBackend({ force: 'wasm' });
    const logdir = join(dir, 'train-tb');
    const recipe = resolveRecipe({ ...testRecipe, plugins: [...testRecipe.plugins, ['metricSink/tensorboard', { logdir }]], settings: { ...testRecipe.settings, steps: 2 } });
    const result = await train({ recipe, model: newModel(), tokenizer, dataset, runDir: join(dir, 'train-run'), plugins: testPlugins, progress: false });
    const events = decodeEventFile(eventFile(logdir)).slice(1);
    expect(events.map((e) => e.step)).toEqual([0, 1]);
    events.forEach((e, i) => {
      expect(e.scalars['reward/mean']).toBe(Math.fround(result.history[i]['reward/mean']));
      expect(e.scalars['loss/total']).toBe(Math.fround(result.history[i]['loss/total']));
      expect(e.scalars.step).toBeUndefined();
    });
  });
});
