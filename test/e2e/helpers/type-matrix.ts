/**
 * The documented imports of `logmill` as files an app type-checks, with one tsconfig per module
 * resolution an app may choose: node16, nodenext, bundler, preserve (with and without the `browser`
 * custom condition) and node10 (which TypeScript 7 no longer has). Each checks with
 * `skipLibCheck: false`, so the package's declarations are checked too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const files: Record<string, string> = {
  'browser.ts': [
    "import { browserSink, captureErrors, log, type BrowserSinkOptions } from 'logmill';",
    "const options: BrowserSinkOptions = { url: 'https://logs.example.com', key: 'lm_ingest_xxxxxxxxxxxxxxxx' };",
    'captureErrors();',
    "log.info('ready %s', browserSink(options).statistics.delivered);",
    'export {};',
    '',
  ].join('\n'),
  'node.ts': [
    "import { httpSink, ndjsonSink, log, type HttpSinkOptions } from 'logmill';",
    "const options: HttpSinkOptions = { url: 'http://127.0.0.1:4318', key: 'lm_ingest_xxxxxxxxxxxxxxxx' };",
    'ndjsonSink({ destination: 1 });',
    "log.info('ready %s', httpSink(options).statistics.delivered);",
    'export {};',
    '',
  ].join('\n'),
  'required.cts': [
    "import logmill = require('logmill');",
    "logmill.browserSink({ url: 'https://logs.example.com', key: 'lm_ingest_xxxxxxxxxxxxxxxx' });",
    "logmill.httpSink({ url: 'http://127.0.0.1:4318', key: 'lm_ingest_xxxxxxxxxxxxxxxx' });",
    '',
  ].join('\n'),
};

interface Mode {
  name: string;
  options: Record<string, unknown>;
  files: string[];
}

const modes: Mode[] = [
  { name: 'node16', options: { module: 'node16', moduleResolution: 'node16' }, files: ['browser.ts', 'node.ts', 'required.cts'] },
  { name: 'nodenext', options: { module: 'nodenext', moduleResolution: 'nodenext' }, files: ['browser.ts', 'node.ts', 'required.cts'] },
  { name: 'bundler', options: { module: 'esnext', moduleResolution: 'bundler' }, files: ['browser.ts', 'node.ts'] },
  { name: 'preserve', options: { module: 'preserve', moduleResolution: 'bundler' }, files: ['browser.ts', 'node.ts'] },
  { name: 'bundler-browser', options: { module: 'esnext', moduleResolution: 'bundler', customConditions: ['browser'] }, files: ['browser.ts'] },
  { name: 'preserve-browser', options: { module: 'preserve', moduleResolution: 'bundler', customConditions: ['browser'] }, files: ['browser.ts'] },
  { name: 'node10', options: { module: 'commonjs', moduleResolution: 'node10', ignoreDeprecations: '6.0' }, files: ['browser.ts', 'node.ts'] },
];

/**
 * Writes `types-check/` into `app` and returns one `npx tsc -p …` command per resolution the
 * installed TypeScript major has (node10 and its deprecation switch differ across majors).
 */
export function writeTypeMatrix(app: string, typescriptMajor: number): Array<{ name: string; command: string }> {
  const directory = join(app, 'types-check');
  mkdirSync(directory, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return modes.filter((mode) => mode.name !== 'node10' || typescriptMajor < 7).map((mode) => {
    const options: Record<string, unknown> = { ...mode.options };
    if (typescriptMajor < 6) delete options['ignoreDeprecations'];
    writeFileSync(join(directory, `tsconfig.${mode.name}.json`), JSON.stringify({
      compilerOptions: { target: 'es2022', lib: ['es2022', 'dom'], strict: true, noEmit: true, skipLibCheck: false, types: [], ...options },
      files: mode.files,
    }, null, 2));
    return { name: mode.name, command: `npx tsc -p types-check/tsconfig.${mode.name}.json` };
  });
}
