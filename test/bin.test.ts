/**
 * The `logmill` command as a clone of the repository has it: the committed bin/logmill.js, which
 * npx runs from the root package (no link in node_modules/.bin needed), answering `instrument`
 * itself and handing the rest to the collector package. The packed packages in a fresh app are
 * tested in test/e2e/packages.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from './helpers/compile.js';

const shim = join(repositoryRoot, 'bin/logmill.js');
const logmill = (...args: string[]) => spawnSync(process.execPath, [shim, ...args], { cwd: repositoryRoot, encoding: 'utf8', env: { ...process.env, LOGMILL_PROGRESS: 'never' } });

describe('bin/logmill.js', () => {
  it('is the package bin, committed and executable, not a build output', () => {
    const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
    expect(manifest.bin).toEqual({ logmill: './bin/logmill.js' });
    expect(manifest.files).toContain('bin');
    expect(statSync(shim).mode & 0o111).not.toBe(0);
    expect(readFileSync(shim, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    // The collector package has no bin of its own that would compete for the name.
    expect((JSON.parse(readFileSync(join(repositoryRoot, 'server/package.json'), 'utf8')) as { bin?: unknown }).bin).toBeUndefined();
  });

  it('npx logmill in the repository runs it: the collector commands and instrument', () => {
    const help = spawnSync('npx', ['--no-install', 'logmill', '--help'], { cwd: repositoryRoot, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/serve[\s\S]*instrument[\s\S]*migrate/);
  });

  it('instrument: usage on --help, exit status 2 and what is missing on a wrong command line', () => {
    expect(logmill('instrument', '--help').stdout).toContain('Usage: logmill instrument <src> --out <dir>');
    const missingOut = logmill('instrument', 'src');
    expect(missingOut.status).toBe(2);
    expect(missingOut.stderr).toMatch(/^logmill instrument: --out <dir> is required\n\nUsage:/);
    const unknown = logmill('instrument', 'src', '--out', 'x', '--fast');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--fast'");
    const notADirectory = logmill('instrument', join(repositoryRoot, 'package.json'), '--out', join(repositoryRoot, 'test/.output/nowhere'));
    expect(notADirectory.status).toBe(1);
    expect(notADirectory.stderr).toContain('is not a directory');
  });

  it('without the collector installed: --version and bare `logmill` answer with exit 0, a collector command says what to install', () => {
    // The bin as an app without @logmill/server has it: a package of its own, outside this repository.
    const alone = mkdtempSync(join(tmpdir(), 'logmill-bin-alone-'));
    mkdirSync(join(alone, 'bin'));
    copyFileSync(shim, join(alone, 'bin/logmill.js'));
    writeFileSync(join(alone, 'package.json'), JSON.stringify({ name: 'logmill', version: '9.8.7', type: 'module' }));
    const run = (...args: string[]) => spawnSync(process.execPath, [join(alone, 'bin/logmill.js'), ...args], { cwd: alone, encoding: 'utf8' });
    for (const flag of ['--version', '-V']) {
      const version = run(flag);
      expect(version.status).toBe(0);
      expect(version.stdout).toBe(`logmill 9.8.7 (Node ${process.versions.node}; the collector, @logmill/server, is not installed)\n`);
    }
    const bare = run();
    expect(bare.status).toBe(0);
    expect(bare.stdout).toContain('npm install @logmill/server');
    expect(bare.stdout).toContain('logmill instrument <src> --out <dir>');
    const serve = run('serve');
    expect(serve.status).toBe(1);
    expect(serve.stderr).toContain('logmill serve comes with the collector package: npm install @logmill/server');
  });

  it('hands every other command to @logmill/server with its arguments', () => {
    const serveHelp = logmill('serve', '--help');
    expect(serveHelp.status).toBe(0);
    expect(serveHelp.stdout).toContain('Usage: logmill serve [options]');
    const unknown = logmill('no-such-command');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain("unknown command 'no-such-command'");
  });
});
