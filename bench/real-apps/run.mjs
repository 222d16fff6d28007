// bench/real-apps: real open-source projects built through the transformer without touching their
// code, their own test suites run before and after (everything that passed must still pass, but
// for tests a project lists as reading back a rewritten function's source text), then a
// short program on the instrumented build prints the logical stacks and context variables its
// events now carry. Needs the npm registry. Usage (after npm run build):
//   node bench/real-apps/run.mjs [project ...] [--keep DIR]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileBenchmark, logmillTransformer, repositoryRoot, ts } from '../lib/compile.mjs';
import { projects } from './projects.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const keepIndex = process.argv.indexOf('--keep');
const workRoot = keepIndex > 0 ? process.argv[keepIndex + 1] : mkdtempSync(join(tmpdir(), 'logmill-real-apps-'));
const wanted = process.argv.slice(2).filter((argument, index, all) => !argument.startsWith('--') && all[index - 1] !== '--keep');
mkdirSync(workRoot, { recursive: true });

function run(command, args, cwd, env = {}) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw result.error;
  return result;
}

/** Each TAP result line as `indent + name` (nesting kept by the indent), counted when repeated. */
export function tapResults(output) {
  const results = new Map();
  const seen = new Map();
  for (const line of output.split('\n')) {
    const match = /^(\s*)(not ok|ok) \d+ - (.*?)(?: # (SKIP|TODO).*)?$/.exec(line);
    if (match === null) continue;
    const base = `${match[1]}${match[3]}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    results.set(count === 1 ? base : `${base} #${count}`, match[4] !== undefined ? 'skipped' : match[2] === 'ok' ? 'passed' : 'failed');
  }
  return results;
}

function summary(results) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const status of results.values()) counts[status]++;
  return counts;
}

function prepare(project) {
  const directory = join(workRoot, project.name);
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const packed = run('npm', ['pack', project.spec, '--silent'], workRoot).stdout.trim().split('\n').pop();
  run('tar', ['xzf', join(workRoot, packed), '-C', directory, '--strip-components=1'], workRoot);
  const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
  for (const name of project.drop) delete manifest.devDependencies[name];
  writeFileSync(join(directory, 'package.json'), JSON.stringify(manifest, null, 2));
  const install = run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], directory);
  if (install.status !== 0) throw new Error(`npm install failed for ${project.spec}:\n${install.stderr}`);
  // The instrumented build imports logmill/hooks: this repository's build.
  symlinkSync(repositoryRoot, join(directory, 'node_modules/logmill'), 'dir');
  return directory;
}

function buildThroughTransformer(project, directory) {
  let original = directory;
  if (project.sources !== undefined) {
    original = join(workRoot, `${project.name}-published`);
    rmSync(original, { recursive: true, force: true });
    for (const source of project.sources) cpSync(join(directory, source), join(original, source), { recursive: true });
  }
  const { rootNames, options } = project.build(ts, directory, original);
  const program = ts.createProgram(rootNames, options);
  // Verbose: every function the transform gave up on (and left as written) is reported.
  const gaveUp = [];
  const addDiagnostic = (diagnostic) => gaveUp.push(ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '));
  const result = program.emit(undefined, undefined, undefined, false, { before: [logmillTransformer(program, { root: original, verbose: true }, { ts, addDiagnostic })] });
  if (result.emitSkipped) throw new Error(`${project.name}: the build through the transformer emitted nothing`);
  let activations = 0;
  for (const file of rootNames) {
    const relative = file.slice(original === directory ? join(directory, 'src').length : original.length).replace(/\.ts$/, '.js');
    const output = join(options.outDir, relative);
    try {
      activations += readFileSync(output, 'utf8').split('__logmill.enter(').length - 1;
    } catch {
      // A declaration-only or type-only file has no output.
    }
  }
  return { files: rootNames.length, activations, gaveUp };
}

// The demos are compiled with the transformer too, as an app using the project would be.
const demos = compileBenchmark(projects.map((project) => join(here, `${project.demo}.ts`)).concat(join(here, 'print-events.ts')), { transform: {}, rootDir: here });
const report = [];
for (const project of projects.filter((candidate) => wanted.length === 0 || wanted.includes(candidate.name))) {
  console.log(`== ${project.spec}: ${project.kind}`);
  const directory = prepare(project);
  const [command, args] = project.test;
  let started = Date.now();
  const before = tapResults(run(command, args, directory).stdout);
  const beforeSeconds = (Date.now() - started) / 1000;
  const built = buildThroughTransformer(project, directory);
  started = Date.now();
  const after = tapResults(run(command, args, directory).stdout);
  const afterSeconds = (Date.now() - started) / 1000;
  const failedAfter = [...before].filter(([name, status]) => status === 'passed' && after.get(name) !== 'passed').map(([name]) => name.trim());
  const readsSourceText = failedAfter.filter((name) => project.readsSourceText?.includes(name));
  const regressions = failedAfter.filter((name) => !readsSourceText.includes(name));
  const row = { project: project.spec, ...built, before: summary(before), after: summary(after), regressions, readsSourceText, beforeSeconds, afterSeconds };
  report.push(row);
  console.log(`   built ${built.files} files through the transformer: ${built.activations} async functions instrumented, ${built.gaveUp.length} left as written after a failure`);
  for (const message of built.gaveUp) console.log(`     ${message}`);
  console.log(`   own test suite, published build:    ${row.before.passed} passed, ${row.before.failed} failed, ${row.before.skipped} skipped (${beforeSeconds.toFixed(0)} s)`);
  console.log(`   own test suite, instrumented build: ${row.after.passed} passed, ${row.after.failed} failed, ${row.after.skipped} skipped (${afterSeconds.toFixed(0)} s)`);
  console.log(`   regressions: ${regressions.length === 0 ? 'none' : regressions.join('; ')}`);
  if (readsSourceText.length > 0) console.log(`   failing because they read back a rewritten function's source text (docs/limits.md): ${readsSourceText.join('; ')}`);
  const demo = run(process.execPath, [join(demos, `${project.demo}.js`), directory], demos);
  console.log(`   events from a program on the instrumented build (bench/real-apps/${project.demo}.ts):`);
  for (const line of demo.stdout.trim().split('\n')) console.log(`     ${line}`);
  if (demo.status !== 0) console.log(`   the demo failed:\n${demo.stderr}`);
}
writeFileSync(join(workRoot, 'report.json'), JSON.stringify(report, null, 2));
console.log(`work directory: ${workRoot} (report.json)`);
if (report.some((row) => row.regressions.length > 0 || row.gaveUp.length > 0)) process.exitCode = 1;
