/** Runs logging-app.mjs as a separate process and returns its statistics line. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const appPath = fileURLToPath(new URL('./logging-app.mjs', import.meta.url));

export interface AppRun {
  done: Promise<Record<string, unknown>>;
  kill(): void;
}

export function runLoggingApp(env: Record<string, string>): AppRun {
  const child = spawn(process.execPath, [appPath], { env: { ...process.env, ...env } as Record<string, string>, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const done = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('exit', (code) => {
      const last = output.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(last) as Record<string, unknown>);
      } catch (error) {
        reject(new Error(`the logging app failed (${(error as Error).message}):\n${output}`));
      }
    });
  });
  return { done, kill: () => child.kill('SIGKILL') };
}
