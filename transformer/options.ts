/** Plugin options, as written in tsconfig `compilerOptions.plugins`. */
import * as path from 'node:path';
import { editDistance } from '../runtime/invalid-argument.js';

export interface TransformerOptions {
  /** Add a frame per instrumented call to the logical stack (default true). */
  stack?: boolean | undefined;
  /** Only files matching one of these globs (relative to `root`) are instrumented. */
  include?: string[] | undefined;
  /** Files matching one of these globs (relative to `root`) are left alone. */
  exclude?: string[] | undefined;
  /** Report each fallback to the safe path as a diagnostic (default false). */
  verbose?: boolean | undefined;
  /** The module instrumented code imports its hooks from (default `logmill/hooks`). */
  runtime?: string | undefined;
  /** Module names and frame files are relative to this directory (default: rootDir, else the project). */
  root?: string | undefined;
  /**
   * Keep the plain text of every function the rewrite changes, for `fn.toString()` (default true);
   * false saves its bytes where nothing reads functions' source (a browser bundle, say).
   */
  keepSourceText?: boolean | undefined;
  /**
   * Pass the context explicitly to async functions imported from other modules (default true;
   * false under Vitest's Vite plugin and `node --test` with `logmill/register`, whose module mocks
   * would receive it as an extra argument). Without it such calls take the context from the
   * ambient slot.
   */
  passThroughImports?: boolean | undefined;
}

/** The transformer's own options, as a tsconfig plugins entry may give them. */
const transformerOptionNames = ['stack', 'include', 'exclude', 'verbose', 'runtime', 'root', 'keepSourceText', 'passThroughImports'];
/** What ts-patch (and ttypescript before it) read from the same plugins entry. */
const pluginEntryNames = ['transform', 'type', 'import', 'isEsm', 'after', 'afterDeclarations', 'transformProgram', 'resolvePathAliases', 'name'];

/**
 * Refuses a tsconfig plugins entry with a key neither Logmill nor ts-patch reads: a misspelled
 * option (`stak`, `excludes`) would otherwise be ignored and the build silently differ.
 */
export function checkPluginEntry(entry: object): void {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new TypeError('logmill/transformer: the plugins entry is an object, such as { "transform": "logmill/transformer" }');
  }
  for (const key of Object.keys(entry)) {
    if (transformerOptionNames.includes(key) || pluginEntryNames.includes(key)) continue;
    const closest = transformerOptionNames.map((name) => [name, editDistance(key.toLowerCase(), name.toLowerCase())] as const).sort((a, b) => a[1] - b[1])[0]!;
    const hint = closest[1] <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean "${closest[0]}"?)` : '';
    throw new TypeError(`logmill/transformer: the tsconfig plugins entry has no option "${key}"${hint}; its options are ${transformerOptionNames.join(', ')}`);
  }
}

export interface ResolvedOptions {
  stack: boolean;
  verbose: boolean;
  runtime: string;
  root: string;
  keepSourceText: boolean;
  passThroughImports: boolean;
  isIncluded: (fileName: string) => boolean;
}

/** Converts a glob (`*`, `**`, `?`, `{a,b}`) to a RegExp over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === '*') {
      if (glob[index + 1] === '*') {
        const slash = glob[index + 2] === '/';
        pattern += slash ? '(?:.*/)?' : '.*';
        index += slash ? 2 : 1;
      } else {
        pattern += '[^/]*';
      }
    } else if (char === '?') pattern += '[^/]';
    else if (char === '{') pattern += '(?:';
    else if (char === '}') pattern += ')';
    else if (char === ',') pattern += '|';
    else pattern += char.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`);
}

export function resolveOptions(raw: TransformerOptions, defaultRoot: string): ResolvedOptions {
  const root = path.resolve(raw.root ?? defaultRoot);
  const include = (raw.include ?? []).map(globToRegExp);
  const exclude = (raw.exclude ?? []).map(globToRegExp);
  return {
    stack: raw.stack ?? true,
    verbose: raw.verbose ?? false,
    runtime: raw.runtime ?? 'logmill/hooks',
    root,
    keepSourceText: raw.keepSourceText ?? true,
    // Jest sets JEST_WORKER_ID in the process that compiles through ts-jest: its module mocks (jest.mock)
    // are then called with exactly the arguments the code passes.
    passThroughImports: raw.passThroughImports ?? process.env['JEST_WORKER_ID'] === undefined,
    isIncluded(fileName) {
      const relative = path.relative(root, fileName).split(path.sep).join('/');
      if (include.length > 0 && !include.some((glob) => glob.test(relative))) return false;
      return !exclude.some((glob) => glob.test(relative));
    },
  };
}

/** `src/api/checkout/payment.ts` under root `src` → `api/checkout/payment`. */
export function moduleNameOf(fileName: string, root: string): string {
  const relative = path.relative(root, fileName).split(path.sep).join('/');
  const withoutExtension = relative.replace(/\.(d\.)?[cm]?[jt]sx?$/, '');
  return withoutExtension.replace(/\/index$/, '') || 'index';
}

export function relativeFile(fileName: string, root: string): string {
  return path.relative(root, fileName).split(path.sep).join('/');
}
