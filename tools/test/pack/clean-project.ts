import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One line on stderr, at once (jest prints console output only when a test file ends). */
export function progress(message: string, started = progress.start): void {
  process.stderr.write(`[pack-install +${((Date.now() - started) / 1000).toFixed(0)} s] ${message}\n`);
}
progress.start = Date.now();

export interface RunResult {
  stdout: string;
  stderr: string;
  seconds: number;
}

/**
 * Runs a command; rejects, naming the command, the folder and the output's tail, when it fails or runs
 * past `timeoutMs` (then it is killed: nothing hangs).
 */
export function run(cmd: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} could not start in ${options.cwd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      if (code === 0) return resolve({ stdout, stderr, seconds });
      const why = signal ? `was killed after ${timeoutMs / 1000} s` : `exited ${code}`;
      reject(new Error(`\`${cmd} ${args.join(' ')}\` in ${options.cwd} ${why}:\n${(stdout + stderr).slice(-6000)}`));
    });
  });
}

/** The registry of tools/pack/local-registry.cjs in a child process, serving `tarballDir`. */
export async function startRegistry(script: string, tarballDir: string, timeoutMs = 120_000): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [script, tarballDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the local registry did not start within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    child.stdout!.on('data', (d) => {
      output += d;
      const m = /registry (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr!.on('data', (d) => (output += d));
    child.on('exit', (code) => reject(new Error(`the local registry exited (${code}) before serving:\n${output}`)));
  });
  return { url, child };
}

/**
 * A new project folder whose npm talks only to `registry`, with its own cache, so an install there is a
 * clean install that cannot reach the internet. The environment drops the npm_* variables of the
 * `npm test` that runs jest (they would point npm at the monorepo).
 */
export function cleanProject(dir: string, registry: string): { dir: string; env: NodeJS.ProcessEnv } {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'tirl-user-project', version: '1.0.0', private: true }, null, 2));
  const npmrc = join(dir, '..', 'npmrc');
  writeFileSync(npmrc, `registry=${registry}\n`);
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));
  Object.assign(env, {
    npm_config_userconfig: npmrc,
    npm_config_registry: registry,
    npm_config_cache: join(dir, '..', 'npm-cache'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_fetch_retries: '0',
    npm_config_fetch_timeout: '60000',
    npm_config_loglevel: 'warn',
  });
  return { dir, env };
}
