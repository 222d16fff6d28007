/**
 * Which projects `logmill instrument` compiles, read as `tsc -p` (and `tsc -b`) read them:
 *
 *   tsconfig.json { files: [], references: [app, node] }  →  [tsconfig.app.json, tsconfig.node.json]
 *   tsconfig.json { compilerOptions: { checkers: 4 } }     →  the project, and a warning: TypeScript 7
 *                                                             knows `checkers`, the TypeScript doing
 *                                                             the rewrite does not
 *
 * A solution-style tsconfig (no files of its own, only references) stands for the projects it
 * references, each with its own compiler options, referenced ones first, as `tsc -b` builds them.
 * Without any tsconfig there is nothing to say which module format or target the output needs, so
 * the command refuses rather than guess (ESM written into a CommonJS package does not run).
 */
import * as path from 'node:path';
import type * as TS from 'typescript';
import type { TransformerOptions } from './options.js';

export interface InstrumentProject {
  /** The tsconfig.json this project was read from. */
  configPath: string;
  fileNames: string[];
  compilerOptions: TS.CompilerOptions;
  /** The tsconfig's `logmill/transformer` plugin entry, when it has one. */
  plugin: TransformerOptions | undefined;
}

export interface InstrumentProjects {
  /** The tsconfig named or found (for messages). */
  configPath: string;
  /** The projects to compile, referenced ones before those referencing them. */
  projects: InstrumentProject[];
  /** Options ignored because the TypeScript doing the rewrite does not know them. */
  warnings: string[];
}

// "Unknown compiler option 'x'" (with and without "Did you mean"): options newer compilers
// (TypeScript 7's `checkers`, `deduplicatePackages`) accept. They tune the compiler, not what it
// emits, so the rewrite goes on without them.
const unknownOptionCodes = new Set([5023, 5025]);
// "No inputs were found": said below in the command's own words, with the files it looked for.
const noInputsCode = 18003;

function message(ts: typeof TS, diagnostic: TS.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
}

/** The projects under `configPath` (itself, or what it references when it has no files of its own). */
export function readInstrumentProjects(ts: typeof TS, source: string, project: string | undefined): InstrumentProjects {
  const configPath = project === undefined ? ts.findConfigFile(source, ts.sys.fileExists) : path.resolve(project);
  if (configPath === undefined) {
    throw new Error(`logmill instrument: no tsconfig.json at or above ${source}. The output's module format and target come from it, as they do for tsc: create one (npx tsc --init) or name one with --project <tsconfig>`);
  }
  if (!ts.sys.fileExists(configPath)) throw new Error(`logmill instrument: ${configPath} does not exist`);
  const warnings: string[] = [];
  const projects: InstrumentProject[] = [];
  const visited = new Set<string>();
  const visit = (config: string, referencedBy: string | undefined): void => {
    if (visited.has(config)) return;
    visited.add(config);
    const read = ts.readConfigFile(config, ts.sys.readFile);
    if (read.error !== undefined) throw new Error(`logmill instrument: cannot read ${config}${referencedBy === undefined ? '' : ` (referenced by ${referencedBy})`}: ${message(ts, read.error)}`);
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(config), undefined, config);
    const problems: string[] = [];
    for (const diagnostic of parsed.errors) {
      if (diagnostic.category !== ts.DiagnosticCategory.Error || diagnostic.code === noInputsCode) continue;
      if (unknownOptionCodes.has(diagnostic.code)) {
        const name = /'([^']+)'/.exec(message(ts, diagnostic))?.[1] ?? message(ts, diagnostic);
        warnings.push(`${config}: compiler option '${name}' ignored: TypeScript ${ts.version}, which runs the rewrite, does not know it (TypeScript 7 options tune the compiler, not its output)`);
      }
      else problems.push(message(ts, diagnostic));
    }
    if (problems.length > 0) throw new Error(`logmill instrument: ${config}: ${problems.join('; ')}`);
    // Referenced projects first: `tsc -b` builds them before the projects that import them.
    for (const reference of parsed.projectReferences ?? []) visit(ts.resolveProjectReferencePath(reference), config);
    const solutionOnly = parsed.fileNames.length === 0 && (parsed.projectReferences?.length ?? 0) > 0;
    if (solutionOnly) return;
    const plugins = (parsed.options.plugins ?? []) as Array<{ transform?: string } & TransformerOptions>;
    const plugin = plugins.find((entry) => entry.transform === 'logmill/transformer');
    projects.push({ configPath: config, fileNames: parsed.fileNames, compilerOptions: parsed.options, plugin });
  };
  visit(configPath, undefined);
  return { configPath, projects, warnings };
}
