// Type-checks every TypeScript project of the repository, two at a time (the checks are
// independent and each keeps one core busy), and fails with the output of any that fails.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const projects = ['tsconfig.json', 'server/tsconfig.json', 'server/dashboard/tsconfig.json', 'bench/browser-size/tsconfig.json', 'test/e2e/pages/tsconfig.json'];
const concurrency = 2;

function check(project) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', project, '--noEmit'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ project, code, output }));
  });
}

const queue = [...projects];
const failed = [];
await Promise.all(Array.from({ length: concurrency }, async () => {
  for (let project = queue.shift(); project !== undefined; project = queue.shift()) {
    const result = await check(project);
    if (result.code !== 0) failed.push(result);
  }
}));
for (const { project, output } of failed) process.stderr.write(`tsc -p ${project}:\n${output}\n`);
process.exit(failed.length === 0 ? 0 : 1);
