import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ctx, makeTool } from './helpers';

// Every attempt must end as an observation, leave the host untouched, and leave the tool usable.
const tool = makeTool({ poolSize: 1, maxSessions: 3, memoryLimitMb: 128 });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tirl-python-escape-'));
const sentinel = path.join(dir, 'sentinel.txt');
const run = (code: string, trajectoryId = 'escape') => tool.call({ code }, ctx(trajectoryId));

let server: net.Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  fs.writeFileSync(sentinel, 'untouched');
  server = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await tool.dispose();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  expect(fs.readFileSync(sentinel, 'utf8')).toBe('untouched');
  expect(fs.readdirSync(dir)).toEqual(['sentinel.txt']);
});

describe('tool/python containment', () => {
  it('cannot start processes (os.system, subprocess, os.popen)', async () => {
    const system = await run(`import os\nos.system('echo pwned > ${sentinel}; touch ${dir}/created')`);
    expect(system.ok).toBe(false);
    expect(system.observation).toMatch(/PermissionError: os.system is disabled in this sandbox/);
    const sub = await run(`import subprocess\nsubprocess.run(['touch', '${dir}/created'])`);
    expect(sub.ok).toBe(false);
    expect(sub.observation).toMatch(/(OSError|PermissionError)/);
    const popen = await run(`import os\nos.popen('touch ${dir}/created')`);
    expect(popen.observation).toMatch(/PermissionError: os.popen is disabled/);
  });

  it('sees only an in-memory file system, never the host one', async () => {
    const passwd = await run("open('/etc/passwd').read()");
    expect(passwd.observation).toMatch(/FileNotFoundError: \[Errno 44\] No such file or directory: '\/etc\/passwd'/);
    const read = await run(`open('${sentinel}').read()`);
    expect(read.observation).toMatch(/FileNotFoundError/);
    // Writing "works" inside the sandbox's own memory file system; the host file is unchanged (afterEach).
    const write = await run(`import os\nos.makedirs('${dir}', exist_ok=True)\nopen('${sentinel}', 'w').write('pwned')`);
    expect(write.observation).toBe('result: 5');
  });

  it('blocks the JavaScript bridges (js, pyodide_js, pyodide.ffi, ctypes)', async () => {
    for (const name of ['js', 'pyodide_js', 'pyodide.ffi', 'pyodide.code', '_pyodide_core', 'ctypes']) {
      const result = await run(`import ${name}`);
      expect(result.observation).toContain(`ImportError: import of '${name.split('.')[0]}' is disabled in this sandbox`);
    }
  });

  it('holds at the JavaScript layer when the Python-level import block is removed', async () => {
    const code = [
      'import sys',
      "sys.meta_path[:] = [f for f in sys.meta_path if 'Blocked' not in getattr(f, '__name__', '')]",
      'import _pyodide_core',
      'array = _pyodide_core.to_js([1])',
      "array.constructor.constructor('return process')().mainModule.require('child_process').execSync('touch " + dir + "/created')",
    ].join('\n');
    const result = await run(code, 'js-layer');
    expect(result.ok).toBe(false);
    expect(result.observation).toContain('sandbox: the Function constructor is blocked');
    expect((await run('1 + 1', 'js-layer')).observation).toBe('result: 2');
  });

  it('cannot open network connections (sockets, urllib)', async () => {
    const socket = await run(`import socket\nsocket.create_connection(('127.0.0.1', ${port}), timeout=2)`);
    expect(socket.ok).toBe(false);
    expect(socket.observation).toMatch(/OSError: \[Errno 23\] Host is unreachable/);
    const http = await run(`import urllib.request\nurllib.request.urlopen('http://127.0.0.1:${port}/', timeout=2)`);
    expect(http.ok).toBe(false);
    expect(http.observation).toMatch(/URLError/);
    expect(connections).toBe(0);
  });

  it('caps memory: 10 GB allocations and unbounded growth fail inside Python, the session survives', async () => {
    const huge = await run('data = [0] * (10 * 1024**3 // 8)');
    expect(huge.ok).toBe(false);
    expect(huge.observation).toMatch(/(MemoryError|OverflowError)/);
    const growth = await run('chunks = []\nwhile True:\n    chunks.append(bytearray(10**7))');
    expect(growth).toMatchObject({ ok: false, error: 'memory' });
    expect(growth.observation).toMatch(/MemoryError\nnote: each session may use at most 128 MB of memory\.$/);
    expect((await run('del chunks\nlen("still alive")')).observation).toBe('result: 11');
  });

  it('leaves the host process healthy', async () => {
    expect((await run('sum(range(10))')).observation).toBe('result: 45');
    expect(typeof process.pid).toBe('number');
  });
});
