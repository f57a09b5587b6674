import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { checkpointError } from './errors';

/** Element types this reader understands; half precision is widened to F32 on read. */
export type SafeDtype = 'F32' | 'F64' | 'I32' | 'I64' | 'U8' | 'F16' | 'BF16';
export type SafeData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/** One tensor: element type, shape and row-major little-endian data. */
export interface SafeTensor {
  dtype: SafeDtype;
  shape: number[];
  data: SafeData;
}

const BYTES: Record<SafeDtype, number> = { F32: 4, F64: 8, I32: 4, I64: 8, U8: 1, F16: 2, BF16: 2 };

/**
 * Reads a `.safetensors` file: u64 little-endian header length, JSON header
 * (`name → { dtype, shape, data_offsets }`), then the raw data. F16 and BF16 come back as F32.
 */
export function readSafetensors(path: string): Map<string, SafeTensor> {
  const buf = readFileSync(path);
  if (buf.length < 8) throw checkpointError(path, `truncated safetensors file: ${buf.length} bytes, no header length`);
  const headerLen = Number(buf.readBigUInt64LE(0));
  if (8 + headerLen > buf.length) {
    throw checkpointError(path, `truncated safetensors file: header of ${headerLen} bytes does not fit in ${buf.length} bytes`);
  }
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + headerLen).toString('utf8'));
  } catch (e) {
    throw checkpointError(path, `the safetensors header is not JSON (${(e as Error).message})`);
  }
  const base = 8 + headerLen;
  const out = new Map<string, SafeTensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const dtype = info.dtype as SafeDtype;
    if (!(dtype in BYTES)) throw checkpointError(path, `tensor "${name}" has dtype ${info.dtype}; supported: ${Object.keys(BYTES).join(', ')}`);
    const [begin, end] = info.data_offsets;
    const count = info.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * BYTES[dtype]) {
      throw checkpointError(path, `tensor "${name}" has ${end - begin} bytes for shape [${info.shape}] of ${dtype}`);
    }
    if (base + end > buf.length) {
      throw checkpointError(path, `truncated safetensors file: tensor "${name}" ends at byte ${base + end} but the file has ${buf.length}`);
    }
    // Copy into an aligned buffer: the data section need not be aligned to the element size.
    const bytes = new Uint8Array(end - begin);
    bytes.set(buf.subarray(base + begin, base + end));
    out.set(name, { ...decode(dtype, bytes.buffer), shape: [...info.shape] });
  }
  return out;
}

/** Writes tensors (in the given order) to a `.safetensors` file, atomically (temp file + rename). */
export function writeSafetensors(path: string, tensors: Map<string, SafeTensor> | Record<string, SafeTensor>, metadata?: Record<string, string>): void {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, t] of entries) {
    if (t.dtype === 'F16' || t.dtype === 'BF16') throw new Error(`writeSafetensors(${path}): tensor "${name}": writing ${t.dtype} is not supported; use F32`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count) throw new Error(`writeSafetensors(${path}): tensor "${name}" has ${t.data.length} values for shape [${t.shape}]`);
    const size = count * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // align the data section to 8 bytes
  const head = Buffer.alloc(8 + Buffer.byteLength(json));
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)), 0);
  head.write(json, 8, 'utf8');
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, head);
    for (const [, t] of entries) writeSync(fd, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function decode(dtype: SafeDtype, buf: ArrayBuffer): { dtype: SafeDtype; data: SafeData } {
  switch (dtype) {
    case 'F32':
      return { dtype, data: new Float32Array(buf) };
    case 'F64':
      return { dtype, data: new Float64Array(buf) };
    case 'I32':
      return { dtype, data: new Int32Array(buf) };
    case 'I64':
      return { dtype, data: new BigInt64Array(buf) };
    case 'U8':
      return { dtype, data: new Uint8Array(buf) };
    case 'BF16': {
      const src = new Uint16Array(buf);
      const bits = new Uint32Array(src.length);
      for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
      return { dtype: 'F32', data: new Float32Array(bits.buffer) };
    }
    case 'F16': {
      const src = new Uint16Array(buf);
      const data = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) data[i] = halfToFloat(src[i]);
      return { dtype: 'F32', data };
    }
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
