/**
 * An app that logs without configuring a sink is told once, on stderr, at its first warning or
 * error, what it is missing (as Node prints its own warnings), instead of dropping its errors in
 * silence. Runs the built runtime (dist/) in child processes.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from '../helpers/compile.js';

const esm = JSON.stringify(join(repositoryRoot, 'dist/esm/runtime/node.js'));
const cjs = JSON.stringify(join(repositoryRoot, 'dist/cjs/runtime/node.js'));

function run(source: string): { stdout: string; stderr: string } {
  const ran = spawnSync(process.execPath, ['--input-type=module', '-e', source], { encoding: 'utf8', timeout: 20_000 });
  expect(ran.status).toBe(0);
  return { stdout: ran.stdout, stderr: ran.stderr };
}

describe('no sink configured', () => {
  it('says so once, at the first error, naming it and the sinks to add; info alone says nothing', () => {
    const { stderr } = run([
      `import { log } from ${esm};`,
      "log.info('hi');",
      "log.error('boom %s', new Error('x'));",
      "log.error('second');",
      "log.warn('third');",
    ].join('\n'));
    expect(stderr).toBe(
      'logmill: ERROR logged with no sink configured, so nothing is output: "boom Error: x"\n' +
      'logmill: add prettySink() for the console, ndjsonSink() for JSON lines or httpSink() for a collector; addSink(() => {}) discards on purpose (this hint is shown once)\n',
    );
  });

  it('says nothing when the first warning comes before any error and nothing after it', () => {
    const { stderr } = run([`import { log } from ${esm};`, "log.info('hi');"].join('\n'));
    expect(stderr).toBe('');
  });

  it('is shown once even with the ESM and CommonJS builds both loaded', () => {
    const { stderr } = run([
      "import { createRequire } from 'node:module';",
      `import { log } from ${esm};`,
      `const required = createRequire(import.meta.url)(${cjs});`,
      "required.log.warn('from CommonJS');",
      "log.error('from ESM');",
    ].join('\n'));
    expect(stderr.match(/no sink configured/g)).toHaveLength(1);
    expect(stderr).toContain('WARN logged with no sink configured, so nothing is output: "from CommonJS"');
  });

  it('is not shown when a sink is configured, before or after the runtime loads', () => {
    const { stderr, stdout } = run([
      `import { log, prettySink, addSink } from ${esm};`,
      'prettySink({ colors: false });',
      "log.error('seen');",
      "log.error('seen again');",
    ].join('\n'));
    expect(stderr).toBe('');
    expect(stdout).toMatch(/ERROR +seen\n.*ERROR +seen again\n$/);
  });

  it('takes the hint literally: ndjsonSink() with no arguments writes JSON lines to standard output', () => {
    const { stdout, stderr } = run([`import { log, ndjsonSink } from ${esm};`, 'ndjsonSink();', "log.info('paid %.2f', 3.14159);"].join('\n'));
    expect(stderr).toBe('');
    expect(JSON.parse(stdout.trim())).toMatchObject({ template: 'paid %.2f', message: 'paid 3.14', args: [3.14159] });
  });
});
