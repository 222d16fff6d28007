// bench/build-time: tspc with the Logmill transformer against plain tsc on a generated project of
// 300+ files, each build in its own process, rounds interleaved, medians.
// Usage: node bench/build-time/run.mjs [rounds] [files]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, repositoryRoot } from '../lib/compile.mjs';
import { times, writeResult } from '../lib/results.mjs';

const rounds = Number(process.argv[2] ?? 5);
const fileCount = Number(process.argv[3] ?? 320);

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
const samples = new Map(builds.map((build) => [build.name, []]));
for (let round = 0; round < rounds; round++) {
  for (const build of builds) {
    rmSync(join(build.project, 'dist'), { recursive: true, force: true });
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, [build.bin, '-p', 'tsconfig.json'], { cwd: build.project, stdio: 'inherit' });
    samples.get(build.name).push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}
const plain = median(samples.get('tsc (plain)'));
console.log(`build time: ${fileCount} generated files, ${rounds} rounds, median wall time`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x ${cpus().length}, ${new Date().toISOString()}`);
const labels = { 'tsc (plain)': '`tsc`', 'tspc, no plugin (ts-patch alone)': '`tspc`, no plugin (ts-patch alone)', 'tspc + logmill transformer': '`tspc` with the Logmill transformer' };
const rows = [];
for (const build of builds) {
  const ms = median(samples.get(build.name));
  rows.push([labels[build.name], `${ms.toFixed(0)}`, times(ms / plain)]);
  console.log(build.name.padEnd(32) + `${ms.toFixed(0)} ms`.padStart(10) + `${(ms / plain).toFixed(2)}x`.padStart(9));
}
const ratio = median(samples.get('tspc + logmill transformer')) / plain;
console.log(`target: tspc with the transformer <= 1.2x tsc: ${ratio <= 1.2 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x)`);
writeResult({
  name: 'build-time',
  title: 'Build time',
  about: `${fileCount} generated modules (classes with async and \`#private\` methods, async generators, arrows, \`Promise.all\` over async callbacks, try/catch), \`-p tsconfig.json\`, median wall time of ${rounds} rounds, builds interleaved.`,
  table: { columns: ['build', '=median ms', '=ratio to tsc'], rows },
  targets: [{ target: 'tspc with the transformer ≤ 1.2x plain tsc', measured: times(ratio), met: ratio <= 1.2 }],
});
