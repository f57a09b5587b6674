import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { TirlError } from '@tirl/core';
import { RunFiles } from './run-files';

export interface ViewOptions {
  runDirs: readonly string[];
  /** Interface to listen on; default the loopback interface only. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** How often the page asks for new metrics and steps (ms). */
  pollMs?: number;
}

export interface ViewServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The page's files, served from the package (no external assets: the page works offline). */
const ASSETS: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
// src/view and dist/view both sit two levels below the package root.
const ASSET_DIR = join(__dirname, '..', '..', 'assets', 'view');

/**
 * `tirl view`: a local web server over one or more run folders. The page polls `/api` for new metric
 * lines and logged steps, so it follows a run that is still training.
 */
export async function startViewServer(o: ViewOptions): Promise<ViewServer> {
  if (!o.runDirs.length) throw new TirlError('tirl view needs at least one RUN_DIR (a folder a training run wrote)', 'invalid-options');
  const runs = o.runDirs.map((d) => new RunFiles(d));
  const config = { pollMs: o.pollMs ?? 2000 };
  const server = createServer((req, res) => {
    try {
      handle(req, res, runs, config);
    } catch (e) {
      send(res, 500, 'text/plain; charset=utf-8', `error: ${(e as Error).message}`);
    }
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new TirlError(`tirl view: port ${o.port} is in use; pass another --port (0 picks a free one)`, 'conflict') : e),
    );
    server.listen(o.port ?? 6007, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function handle(req: IncomingMessage, res: ServerResponse, runs: RunFiles[], config: { pollMs: number }): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'only GET and HEAD');
  if (ASSETS[path]) {
    const file = ASSETS[path];
    return send(res, 200, TYPES[file.split('.').pop()!], readFileSync(join(ASSET_DIR, file)));
  }
  if (path === '/api/config') return json(res, config);
  if (path === '/api/runs') return json(res, runs.map((r, index) => ({ index, name: r.name, dir: r.dir, recipe: r.recipeName() ?? null })));
  const m = /^\/api\/runs\/(\d+)\/(metrics|steps)(?:\/(\d+))?$/.exec(path);
  const run = m ? runs[Number(m[1])] : undefined;
  if (!m || !run) return send(res, 404, 'text/plain; charset=utf-8', `not found: ${path}`);
  if (m[2] === 'metrics') return json(res, run.metricsFrom(Math.max(0, Number(url.searchParams.get('from') ?? 0) || 0)));
  if (m[3] === undefined) return json(res, run.steps());
  const record = run.step(Number(m[3]));
  return record ? json(res, record) : send(res, 404, 'text/plain; charset=utf-8', `step ${m[3]} is not in the trajectory log`);
}

function json(res: ServerResponse, body: unknown): void {
  send(res, 200, 'application/json; charset=utf-8', JSON.stringify(body));
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // Nothing but this server's own files: the page loads no external script, style, font or image.
    'content-security-policy': "default-src 'self'; img-src 'self' data:",
  });
  res.end(body);
}
