'use strict';
// The JavaScript side of the sandbox, loaded by python-worker.js before the lock-down. Plain CommonJS
// like the worker. Kept apart so that tests can prove its checks in a worker thread of their own.
const NodeModule = require('node:module');

const refuse = (what) =>
  function blocked() {
    throw new Error(`sandbox: ${what} is blocked`);
  };

/** Every way to compile JavaScript from a string, each of which must throw once the host is locked. */
const COMPILERS = {
  'Function constructor': () => (function () {}).constructor('return 1')(),
  'async Function constructor': () => (async function () {}).constructor('return 1'),
  'generator Function constructor': () => (function* () {}).constructor('yield 1'),
  'global Function': () => Function('return 1')(),
  'new Function': () => new Function('return 1')(),
  'globalThis.Function': () => globalThis.Function('return 1')(),
  eval: () => globalThis.eval('1'),
};

/**
 * Layer 2, the hard boundary: whatever JavaScript object Python reaches, nothing can load a module,
 * spawn a process, open a socket or file, or compile new JavaScript (which could `import()` them).
 * `pyodide` may be undefined (tests of the host side alone).
 */
function lockDownHost(pyodide) {
  const realLoad = NodeModule._load;
  const dangerous = ['child_process', 'fs', 'fs/promises', 'net', 'dgram', 'http', 'https', 'http2', 'tls',
    'dns', 'inspector', 'vm', 'cluster', 'worker_threads', 'module', 'os'];
  // Load them all before changing any: modules read each other's exports while loading.
  const modules = dangerous.map((name) => realLoad.call(NodeModule, name, null, false));
  NodeModule._load = refuse('require()');
  modules.forEach((mod, i) => {
    for (const key of Object.keys(mod)) {
      if (typeof mod[key] === 'function' && !(mod === modules[dangerous.indexOf('worker_threads')] && key === 'parentPort')) {
        try {
          mod[key] = refuse(`${dangerous[i]}.${key}`);
        } catch {
          // read-only export: its module is unreachable anyway once require() is gone
        }
      }
    }
  });
  for (const fn of [function () {}, async function () {}, function* () {}, async function* () {}]) {
    Object.defineProperty(Object.getPrototypeOf(fn), 'constructor', {
      value: refuse('the Function constructor'),
      writable: false,
      configurable: false,
    });
  }
  // The global binding is the same constructor under another name. The stand-in keeps the real
  // prototype, so `x instanceof Function` still works for code that tests it.
  const blockedFunction = refuse('the Function constructor');
  blockedFunction.prototype = Object.getPrototypeOf(function () {});
  Object.defineProperty(globalThis, 'Function', { value: blockedFunction, writable: false, configurable: false, enumerable: false });
  for (const name of ['eval', 'process', 'require', 'module', 'exports', 'fetch', 'WebSocket', 'XMLHttpRequest',
    'EventSource', 'Request', 'Worker', 'SharedWorker', 'importScripts', 'navigator']) {
    try {
      delete globalThis[name];
    } catch {
      // non-configurable global: overwritten below
    }
    if (name in globalThis) {
      try {
        globalThis[name] = undefined;
      } catch {
        // neither deletable nor writable: checked by hostChecks
      }
    }
  }
  if (!pyodide) return;
  for (const key of ['mountNodeFS', 'mountNativeFS', 'loadPackage', 'loadPackagesFromImports', 'registerJsModule',
    'unregisterJsModule', 'setStdout', 'setStderr', 'setStdin', 'setInterruptBuffer', 'makeMemorySnapshot']) {
    try {
      pyodide[key] = refuse(`pyodide.${key}`);
    } catch {
      // not present in this Pyodide version
    }
  }
  const filesystems = pyodide.FS && pyodide.FS.filesystems;
  if (filesystems) for (const key of Object.keys(filesystems)) if (key !== 'MEMFS') delete filesystems[key];
}

/** The JavaScript-side checks: one message per block that does not hold (empty when all hold). */
function hostChecks() {
  const failures = [];
  for (const [what, attempt] of Object.entries(COMPILERS)) {
    try {
      attempt();
      failures.push(`${what} still works`);
    } catch {
      // blocked, as required
    }
  }
  for (const name of ['process', 'require', 'fetch', 'WebSocket']) {
    if (globalThis[name] !== undefined) failures.push(`global ${name} is still reachable`);
  }
  return failures;
}

module.exports = { lockDownHost, hostChecks };
