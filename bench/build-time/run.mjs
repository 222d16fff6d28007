// bench/build-time: tspc with the Logmill transformer against plain tsc on a generated project of
// 300+ files, each build in its own process, rounds interleaved, medians of per-round ratios. The
// figure is the build process's CPU time (user + system, reported by the process itself as it
// exits), steadier than wall time on a shared machine.
// Usage: node bench/build-time/run.mjs [rounds] [files] [--node /path/to/node]...
// Each --node runs the whole benchmark on that Node (default: this one); the result has a column per Node.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, repositoryRoot } from '../lib/compile.mjs';
import { times, writeResult } from '../lib/results.mjs';

const positional = process.argv.slice(2).filter((argument, index, all) => !argument.startsWith('--') && all[index - 1] !== '--node');
const rounds = Number(positional[0] ?? 5);
const fileCount = Number(positional[1] ?? 320);
const nodes = process.argv.flatMap((argument, index) => (argument === '--node' ? [process.argv[index + 1]] : []));
if (nodes.length === 0) nodes.push(process.execPath);

function moduleSource(index) {
  const imports = index === 0 ? '' : `import { service${index - 1}, Store${index - 1} } from './module${index - 1}.js';\n`;
  const previous = index === 0 ? 'Promise.resolve(0)' : `service${index - 1}(input - 1)`;
  return `${imports}
export interface Record${index} { id: string; value: number; tags: string[] }

export class Store${index} {
  #items = new Map<string, Record${index}>();
  async get(id: string): Promise<Record${index} | undefined> {
    await null;
    return this.#items.get(id);
  }
  async put(record: Record${index}): Promise<void> {
    this.#items.set(record.id, record);
  }
  async *scan(): AsyncGenerator<Record${index}> {
    for (const record of this.#items.values()) yield record;
  }
}

export async function service${index}(input: number): Promise<number> {
  const store = new Store${index}();
  await store.put({ id: String(input), value: input, tags: ['a', 'b'] });
  const found = await store.get(String(input));
  const values = await Promise.all([1, 2, 3].map(async (n) => n * (found?.value ?? 0)));
  try {
    return values.reduce((sum, value) => sum + value, 0) + (input > 0 ? await ${previous} : 0);
  } catch (error) {
    throw new Error('service${index} failed', { cause: error });
  }
}

export const handler${index} = async (request: { id: number }): Promise<string> => {
  const result = await service${index}(request.id);
  return \`result \${result}\`;
};
`;
}

function createProject(transform) {
  const root = mkdtempSync(join(tmpdir(), 'logmill-build-bench-'));
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'node_modules/@types'), { recursive: true });
  for (let index = 0; index < fileCount; index++) writeFileSync(join(root, `src/module${index}.ts`), moduleSource(index));
  symlinkSync(repositoryRoot, join(root, 'node_modules/logmill'), 'dir');
  symlinkSync(join(repositoryRoot, 'node_modules/typescript'), join(root, 'node_modules/typescript'), 'dir');
  symlinkSync(join(repositoryRoot, 'node_modules/ts-patch'), join(root, 'node_modules/ts-patch'), 'dir');
  symlinkSync(join(repositoryRoot, 'node_modules/@types/node'), join(root, 'node_modules/@types/node'), 'dir');
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        skipLibCheck: true,
        outDir: 'dist',
        rootDir: 'src',
        types: ['node'],
        plugins: transform ? [{ transform: 'logmill/transformer' }] : [],
      },
      include: ['src'],
    }),
  );
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }');
  return root;
}

const plainProject = createProject(false);
const instrumentedProject = createProject(true);
const builds = [
  { name: 'tsc (plain)', project: plainProject, bin: join(repositoryRoot, 'node_modules/typescript/bin/tsc') },
  { name: 'tspc, no plugin (ts-patch alone)', project: plainProject, bin: join(repositoryRoot, 'node_modules/ts-patch/bin/tspc.js') },
  { name: 'tspc + logmill transformer', project: instrumentedProject, bin: join(repositoryRoot, 'node_modules/ts-patch/bin/tspc.js') },
];
// Preloaded into each build: writes the process's own CPU time as it exits.
const cpuReport = join(mkdtempSync(join(tmpdir(), 'logmill-build-cpu-')), 'report-cpu.cjs');
writeFileSync(cpuReport, "process.on('exit', () => { const used = process.cpuUsage(); require('node:fs').writeFileSync(process.env.LOGMILL_CPU_REPORT, String((used.user + used.system) / 1000)); });\n");
const cpuFile = `${cpuReport}.ms`;

const columns = [];
for (const node of nodes) {
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const samples = new Map(builds.map((build) => [build.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const build of builds) {
      rmSync(join(build.project, 'dist'), { recursive: true, force: true });
      execFileSync(node, ['--require', cpuReport, build.bin, '-p', 'tsconfig.json'], {
        cwd: build.project,
        stdio: 'inherit',
        env: { ...process.env, LOGMILL_CPU_REPORT: cpuFile },
      });
      samples.get(build.name).push(Number(readFileSync(cpuFile, 'utf8')));
    }
  }
  const ratioOf = (name) => median(samples.get(name).map((ms, round) => ms / samples.get('tsc (plain)')[round]));
  console.log(`build time on Node ${version}: ${fileCount} generated files, ${rounds} rounds, median CPU time of the build process`);
  console.log(`${cpus()[0]?.model ?? 'unknown cpu'} x ${cpus().length}, ${new Date().toISOString()}`);
  for (const build of builds) {
    console.log(build.name.padEnd(32) + `${median(samples.get(build.name)).toFixed(0)} ms`.padStart(10) + `${ratioOf(build.name).toFixed(2)}x`.padStart(9));
  }
  const ratio = ratioOf('tspc + logmill transformer');
  console.log(`target: tspc with the transformer <= 1.2x tsc: ${ratio <= 1.2 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x)`);
  columns.push({ version, plain: median(samples.get('tsc (plain)')), ratios: new Map(builds.map((build) => [build.name, ratioOf(build.name)])) });
}

const labels = { 'tsc (plain)': '`tsc`', 'tspc, no plugin (ts-patch alone)': '`tspc`, no plugin (ts-patch alone)', 'tspc + logmill transformer': '`tspc` with the Logmill transformer' };
const rows = builds.map((build) => [
  labels[build.name],
  ...columns.map((column) => (build.name === 'tsc (plain)' ? `${column.plain.toFixed(0)} ms CPU, 1.00x` : times(column.ratios.get(build.name)))),
]);
writeResult({
  name: 'build-time',
  title: 'Build time',
  node: columns.map((column) => column.version).join(', '),
  about: `${fileCount} generated modules (classes with async and \`#private\` methods, async generators, arrows, \`Promise.all\` over async callbacks, try/catch; every function async, so the instrumented output is several times the plain one), \`-p tsconfig.json\`, CPU time of the build process (user + system), ${rounds} rounds, builds interleaved, the median of per-round ratios to \`tsc\`.`,
  table: { columns: ['build', ...columns.map((column) => `=Node ${column.version.replace(/^v/, '')}`)], rows },
  targets: [
    {
      target: 'tspc with the transformer ≤ 1.2x plain tsc',
      measured: columns.map((column) => `${times(column.ratios.get('tspc + logmill transformer'))} on ${column.version}`).join('; '),
      met: columns.every((column) => column.ratios.get('tspc + logmill transformer') <= 1.2),
    },
  ],
});
