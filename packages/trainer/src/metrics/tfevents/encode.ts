import { maskedCrc32c } from './crc32c';

/**
 * The few protobuf messages a scalar event file needs, encoded by hand (field numbers from TensorFlow's
 * `event.proto` and `summary.proto`): Event { double wall_time = 1; int64 step = 2; string file_version = 3;
 * Summary summary = 5 }, Summary { repeated Value value = 1 }, Value { string tag = 1; float simple_value = 2 }.
 */
class ProtoWriter {
  private readonly parts: Uint8Array[] = [];

  varint(value: bigint): this {
    const out: number[] = [];
    let v = BigInt.asUintN(64, value);
    do {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      out.push(v ? byte | 0x80 : byte);
    } while (v);
    this.parts.push(Uint8Array.from(out));
    return this;
  }

  key(field: number, wireType: 0 | 1 | 2 | 5): this {
    return this.varint(BigInt((field << 3) | wireType));
  }

  double(field: number, value: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.key(field, 1).parts.push(b);
    return this;
  }

  float(field: number, value: number): this {
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    this.key(field, 5).parts.push(b);
    return this;
  }

  int64(field: number, value: number): this {
    return this.key(field, 0).varint(BigInt(value));
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2).varint(BigInt(value.length)).parts.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  finish(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

/** The first record of every event file: `Event { wall_time, file_version: "brain.Event:2" }`. */
export function fileVersionEvent(wallTime: number): Uint8Array {
  return new ProtoWriter().double(1, wallTime).string(3, 'brain.Event:2').finish();
}

/** `Event { wall_time, step, summary { value { tag, simple_value } ... } }`. */
export function scalarsEvent(wallTime: number, step: number, scalars: Record<string, number>): Uint8Array {
  const summary = new ProtoWriter();
  for (const [tag, value] of Object.entries(scalars)) summary.bytes(1, new ProtoWriter().string(1, tag).float(2, value).finish());
  return new ProtoWriter().double(1, wallTime).int64(2, step).bytes(5, summary.finish()).finish();
}

/** TFRecord framing: u64 length (LE), masked CRC-32C of the length bytes, data, masked CRC-32C of the data. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(BigInt(data.length), 0);
  header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
  const footer = Buffer.alloc(4);
  footer.writeUInt32LE(maskedCrc32c(data), 0);
  return Buffer.concat([header, data, footer]);
}
