/** Plugin options, as written in tsconfig `compilerOptions.plugins`. */
import * as path from 'node:path';

export interface TransformerOptions {
  /** Add a frame per instrumented call to the logical stack (default true). */
  stack?: boolean;
  /** Only files matching one of these globs (relative to `root`) are instrumented. */
  include?: string[];
  /** Files matching one of these globs (relative to `root`) are left alone. */
  exclude?: string[];
  /** Report each fallback to the safe path as a diagnostic (default false). */
  verbose?: boolean;
  /** The module instrumented code imports its hooks from (default `logmill/hooks`). */
  runtime?: string;
  /** Module names and frame files are relative to this directory (default: rootDir, else the project). */
  root?: string;
  /**
   * Keep the plain text of every function the rewrite changes, for `fn.toString()` (default true);
   * false saves its bytes where nothing reads functions' source (a browser bundle, say).
   */
  keepSourceText?: boolean;
}

export interface ResolvedOptions {
  stack: boolean;
  verbose: boolean;
  runtime: string;
  root: string;
  keepSourceText: boolean;
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
