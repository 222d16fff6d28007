/**
 * Sending from a process that is exiting: after `process.exit()` nothing asynchronous runs, so a
 * child Node process makes the request and this one waits for it, up to a timeout. Shared by
 * `httpSink` (its spooled batches) and `otlpExporter` (its last batch); each gives the child's script.
 */

/** Node's process with `getBuiltinModule`, so this module imports nothing that a browser bundle would trip on. */
export type NodeProcess = NodeJS.Process & { getBuiltinModule?: (id: string) => unknown };

/**
 * Runs `script` (CommonJS, reading `input` as JSON on stdin, writing nothing to stderr on success)
 * in a child Node process and waits up to `timeout` ms. Returns undefined when it succeeded, else why not.
 */
export function sendThroughChild(node: NodeProcess, script: string, input: unknown, timeout: number): string | undefined {
  const childProcess = node.getBuiltinModule?.('node:child_process') as typeof import('node:child_process') | undefined;
  if (childProcess === undefined) return 'no synchronous send on this runtime';
  // In Electron or a single executable application, execPath is the app itself, not a Node that runs `-e`.
  const sea = node.getBuiltinModule?.('node:sea') as { isSea?: () => boolean } | undefined;
  if (node.versions['electron'] !== undefined || sea?.isSea?.() === true) return 'no Node executable to send through at process.exit()';
  const run = childProcess.spawnSync(node.execPath, ['--input-type=commonjs', '-e', script], {
    input: JSON.stringify(input),
    timeout,
    encoding: 'utf8',
    stdio: ['pipe', 'ignore', 'pipe'],
    // Not the app's --import hooks or preloads: the child only posts.
    env: { ...node.env, NODE_OPTIONS: '' },
  });
  if (run.error !== undefined) return run.error.message.includes('ETIMEDOUT') ? `no answer within exitTimeout, ${timeout} ms` : run.error.message;
  return run.status === 0 && run.stderr === '' ? undefined : run.stderr || `exit status ${run.status}`;
}
