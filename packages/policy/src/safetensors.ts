import { closeSync, fstatSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { checkpointError } from './errors';

/** Element types this reader understands; half precision is widened to F32 on read and written from F32. */
export type SafeDtype = 'F32' | 'F64' | 'I32' | 'I64' | 'U8' | 'F16' | 'BF16';
export type SafeData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array;

/** One tensor: element type, shape and row-major little-endian data. */
export interface SafeTensor {
  dtype: SafeDtype;
  shape: number[];
  data: SafeData;
}

const BYTES: Record<SafeDtype, number> = { F32: 4, F64: 8, I32: 4, I64: 8, U8: 1, F16: 2, BF16: 2 };

/** A tensor's header entry. */
export interface SafeTensorInfo {
  dtype: SafeDtype;
  shape: number[];
  /** Byte offsets of the data, from the start of the file. */
  begin: number;
  end: number;
}

/**
 * An open `.safetensors` file: the header is parsed, tensor data is read one tensor at a time (so
 * loading a model never holds a whole file, or a whole model, on the host at once). Close it.
 */
export class SafetensorsFile {
  readonly tensors = new Map<string, SafeTensorInfo>();
  private fd: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    try {
      this.parseHeader();
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Reads one tensor; F16 and BF16 come back widened to F32. */
  read(name: string): SafeTensor {
    const info = this.tensors.get(name);
    if (!info) throw checkpointError(this.path, `no tensor "${name}"`);
    const bytes = new Uint8Array(info.end - info.begin);
    const got = readSync(this.fd, bytes, 0, bytes.length, info.begin);
    if (got !== bytes.length) throw checkpointError(this.path, `truncated safetensors file: tensor "${name}" ends at byte ${info.end}`);
    return { ...decode(info.dtype, bytes.buffer), shape: [...info.shape] };
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private parseHeader(): void {
    const size = fstatSync(this.fd).size;
    if (size < 8) throw checkpointError(this.path, `truncated safetensors file: ${size} bytes, no header length`);
    const lenBuf = Buffer.alloc(8);
    readSync(this.fd, lenBuf, 0, 8, 0);
    const headerLen = Number(lenBuf.readBigUInt64LE(0));
    if (8 + headerLen > size) throw checkpointError(this.path, `truncated safetensors file: header of ${headerLen} bytes does not fit in ${size} bytes`);
    const headBuf = Buffer.alloc(headerLen);
    readSync(this.fd, headBuf, 0, headerLen, 8);
    let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    try {
      header = JSON.parse(headBuf.toString('utf8'));
    } catch (e) {
      throw checkpointError(this.path, `the safetensors header is not JSON (${(e as Error).message})`);
    }
    const base = 8 + headerLen;
    for (const [name, info] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const dtype = info.dtype as SafeDtype;
      if (!(dtype in BYTES)) throw checkpointError(this.path, `tensor "${name}" has dtype ${info.dtype}; supported: ${Object.keys(BYTES).join(', ')}`);
      const [begin, end] = info.data_offsets;
      const count = info.shape.reduce((a, b) => a * b, 1);
      if (end - begin !== count * BYTES[dtype]) throw checkpointError(this.path, `tensor "${name}" has ${end - begin} bytes for shape [${info.shape}] of ${dtype}`);
      if (base + end > size) throw checkpointError(this.path, `truncated safetensors file: tensor "${name}" ends at byte ${base + end} but the file has ${size}`);
      this.tensors.set(name, { dtype, shape: [...info.shape], begin: base + begin, end: base + end });
    }
  }
}

/**
 * Reads a whole `.safetensors` file: u64 little-endian header length, JSON header
 * (`name → { dtype, shape, data_offsets }`), then the raw data. F16 and BF16 come back as F32.
 */
export function readSafetensors(path: string): Map<string, SafeTensor> {
  const file = new SafetensorsFile(path);
  try {
    return new Map([...file.tensors.keys()].map((name) => [name, file.read(name)]));
  } finally {
    file.close();
  }
}

/** A tensor to write whose data is produced only when its turn comes (one tensor in memory at a time). */
export interface LazySafeTensor {
  dtype: SafeDtype;
  shape: number[];
  read: () => SafeData;
}

/**
 * Writes tensors (in the given order) to a `.safetensors` file, atomically (temp file + rename). F32
 * data given for an F16 or BF16 entry is rounded to nearest-even on write. Lazy entries are read one
 * at a time.
 */
export function writeSafetensors(
  path: string,
  tensors: Map<string, SafeTensor | LazySafeTensor> | Record<string, SafeTensor | LazySafeTensor>,
  metadata?: Record<string, string>,
): void {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, t] of entries) {
    if (!(t.dtype in BYTES)) throw new Error(`writeSafetensors(${path}): tensor "${name}" has dtype ${t.dtype}; supported: ${Object.keys(BYTES).join(', ')}`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if ('data' in t && t.data.length !== count) throw new Error(`writeSafetensors(${path}): tensor "${name}" has ${t.data.length} values for shape [${t.shape}]`);
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
    for (const [name, t] of entries) {
      const data = encode(t.dtype, 'data' in t ? t.data : t.read(), `${path}: tensor "${name}"`);
      writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Data in the on-disk representation of `dtype` (half precision from F32 by round-to-nearest-even). */
function encode(dtype: SafeDtype, data: SafeData, origin: string): SafeData | Uint16Array {
  if (dtype !== 'F16' && dtype !== 'BF16') return data;
  if (data instanceof Uint16Array) return data;
  if (!(data instanceof Float32Array)) throw new Error(`writeSafetensors(${origin}): ${dtype} is written from Float32Array data`);
  const out = new Uint16Array(data.length);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
    for (let i = 0; i < data.length; i++) {
      const b = bits[i];
      out[i] = (b & 0x7f800000) === 0x7f800000 && b & 0x7fffff ? (b >>> 16) | 0x40 : (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
    }
  } else {
    for (let i = 0; i < data.length; i++) out[i] = floatToHalf(data[i]);
  }
  return out;
}

/** IEEE binary16 bits of `x`, round-to-nearest-even, overflow to infinity, subnormals kept. */
export function floatToHalf(x: number): number {
  const f32 = new Float32Array([x]);
  const b = new Uint32Array(f32.buffer)[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let r = m >>> shift;
    if (rest > half || (rest === half && r & 1)) r += 1;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && r & 1)) r += 1;
  return sign | r;
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
