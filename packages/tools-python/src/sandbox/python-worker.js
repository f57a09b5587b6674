'use strict';
// One Pyodide interpreter in a worker thread. Plain CommonJS: it runs as is, untransformed, in every
// host (jest, tsx, the built package). Protocol: see worker-protocol.ts.
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');

const { pyodideDir, runnerPath, memoryLimitMb, interruptBuffer } = workerData;
const PAGE = 65536;

// Memory cap: wasm memory ignores Worker resourceLimits, so refuse growth past the limit here.
// Emscripten's sbrk catches the RangeError, malloc returns NULL and Python raises MemoryError.
const limitPages = Math.floor((memoryLimitMb * 1024 * 1024) / PAGE);
const realGrow = WebAssembly.Memory.prototype.grow;
Object.defineProperty(WebAssembly.Memory.prototype, 'grow', {
  value: function grow(delta) {
    if (this.buffer.byteLength / PAGE + delta > limitPages) {
      throw new RangeError(`memory limit of ${memoryLimitMb} MB reached`);
    }
    return realGrow.call(this, delta);
  },
  writable: false,
  configurable: false,
});

/** Collects one stream's bytes up to a budget and counts what it drops. */
class CappedStream {
  constructor() {
    this.reset(0);
  }
  reset(maxBytes) {
    this.maxBytes = maxBytes;
    this.chunks = [];
    this.kept = 0;
    this.dropped = 0;
  }
  write(bytes) {
    const room = Math.max(0, this.maxBytes - this.kept);
    if (room > 0) {
      const part = bytes.subarray(0, room);
      this.chunks.push(Uint8Array.from(part));
      this.kept += part.length;
    }
    this.dropped += Math.max(0, bytes.length - room);
    return bytes.length;
  }
  text() {
    return new TextDecoder().decode(Buffer.concat(this.chunks));
  }
}

const { lockDownHost, hostChecks } = require('./host-lockdown.js');

/** Proves the blocks hold, on both sides; any failure means the worker must not serve. */
function selfCheck(runner) {
  return [...JSON.parse(runner.self_check()), ...hostChecks()];
}

async function start() {
  const started = Date.now();
  const { loadPyodide } = require(path.join(pyodideDir, 'pyodide.js'));
  const runnerSource = fs.readFileSync(runnerPath, 'utf8');
  const out = new CappedStream();
  const err = new CappedStream();
  const pyodide = await loadPyodide({
    indexURL: pyodideDir + path.sep,
    jsglobals: Object.create(null),
    env: {},
    stdout: () => {},
    stderr: () => {},
  });
  pyodide.setStdout({ write: (bytes) => out.write(bytes) });
  pyodide.setStderr({ write: (bytes) => err.write(bytes) });
  pyodide.setStdin({ stdin: () => null });
  const interrupt = new Int32Array(interruptBuffer);
  pyodide.setInterruptBuffer(interrupt);
  const scope = pyodide.toPy({});
  pyodide.runPython(runnerSource, { globals: scope, filename: '<sandbox runner>' });
  const runCell = scope.get('run_cell');
  const resetNamespace = scope.get('reset_namespace');
  const runner = { self_check: scope.get('self_check') };
  const heap = () => pyodide._module.HEAPU8.buffer.byteLength;
  lockDownHost(pyodide);
  const failures = selfCheck(runner);
  if (failures.length > 0) {
    parentPort.postMessage({ type: 'refused', reason: failures.join('; ') });
    return;
  }
  let fatal = false;
  parentPort.on('message', (msg) => {
    if (msg.type === 'reset') {
      if (!fatal) resetNamespace();
      parentPort.postMessage({ type: 'reset', id: msg.id, ok: !fatal });
      return;
    }
    if (msg.type !== 'run') return;
    // The host clears the interrupt flag before it sends a cell; clearing it here could swallow a deadline
    // that passed while this message was on its way.
    // Streams are capped in bytes: a UTF-8 character takes at most 4.
    out.reset(msg.maxOutputChars * 4);
    err.reset(msg.maxOutputChars * 4);
    let result;
    const t0 = Date.now();
    try {
      if (fatal) throw new Error('interpreter is no longer usable');
      result = JSON.parse(runCell(msg.code, msg.cell, msg.maxOutputChars));
    } catch (e) {
      if (e && e.type === 'KeyboardInterrupt') {
        // The deadline's interrupt landed in the runner's own code around the cell, outside its try.
        result = { value: null, valueDropped: 0, error: { type: 'KeyboardInterrupt', traceback: 'KeyboardInterrupt' } };
      } else {
        // Any other error here is fatal (run_cell catches every exception of the cell itself).
        fatal = true;
        result = { value: null, valueDropped: 0, error: { type: 'SandboxViolation', traceback: String(e && e.message) } };
      }
    }
    parentPort.postMessage({
      type: 'result',
      id: msg.id,
      ...result,
      stdout: out.text(),
      stdoutDroppedBytes: out.dropped,
      stderr: err.text(),
      stderrDroppedBytes: err.dropped,
      elapsedMs: Date.now() - t0,
      memoryBytes: heap(),
      fatal,
    });
  });
  parentPort.postMessage({ type: 'ready', loadMs: Date.now() - started, memoryBytes: heap() });
}

start().catch((e) => {
  parentPort.postMessage({ type: 'refused', reason: `failed to start Pyodide: ${e && e.stack ? e.stack : e}` });
});
