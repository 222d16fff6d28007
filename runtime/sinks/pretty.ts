/**
 * The development console sink: one coloured line per event with its time since start, level,
 * module and message; context variables and (on demand) the logical stack beneath.
 */
import { type SinkOptions, addSink } from '../events.js';
import { checkKnownOptions, invalidArgument } from '../invalid-argument.js';
import { loggingState } from '../logging/configure.js';
import type { LogmillEvent } from '../logging/event.js';
import { toJson } from '../logging/serialize.js';

export interface PrettyOptions extends SinkOptions {
  /** Print the logical async stack under each event (default: only for warnings and worse). */
  stack?: 'always' | 'errors' | 'never' | undefined;
  /** Colours (default: when the output is a terminal). */
  colors?: boolean | undefined;
  /** Where lines go (default `console.log`). */
  write?: ((line: string) => void) | undefined;
}

const levelColours: Record<string, number> = { TRACE: 90, DEBUG: 36, INFO: 32, WARN: 33, ERROR: 31, FATAL: 35 };
const started = Date.now();

export function formatPretty(event: LogmillEvent, options: { stack: 'always' | 'errors' | 'never'; colors: boolean }): string {
  const paint = (code: number, text: string): string => (options.colors ? `\x1b[${code}m${text}\x1b[0m` : text);
  const elapsed = `+${((event.ts - started) / 1000).toFixed(3)}s`;
  const where = event.code === undefined ? '' : ` ${paint(90, `${event.code.module}:${event.code.line}`)}`;
  const label = event.kind === 'event' ? paint(34, `event ${event.name}`) : paint(levelColours[event.severity] ?? 0, event.severity.padEnd(5));
  let line = `${paint(90, elapsed)} ${label}${where} ${event.kind === 'event' ? '' : event.message}`;
  // Args the template did not take (`log.info('signed in', userId)`), as console.log appends them,
  // and what went wrong: otherwise they show only in the JSON envelope. Errors print below.
  const formatError = event.formatError;
  const shown = event.args.filter((arg) => !(arg instanceof Error));
  if (formatError !== undefined && shown.length > 0) {
    line += ` ${shown.map((arg) => (typeof arg === 'string' ? arg : toJson(arg, loggingState.redactor))).join(' ')} ${paint(33, `(${formatError})`)}`;
  }
  const attributes = Object.keys(event.attributes);
  if (attributes.length > 0) line += ` ${paint(90, toJson(event.attributes, loggingState.redactor))}`;
  const vars = Object.entries(event.context.vars).filter(([key]) => key !== 'experiments');
  if (vars.length > 0) line += `\n    ${paint(90, vars.map(([key, value]) => `${key}=${typeof value === 'string' ? value : toJson(value)}`).join(' '))}`;
  const showStack = options.stack === 'always' || (options.stack === 'errors' && event.severityNumber >= 13);
  if (showStack && event.context.stack.length > 0) {
    line += `\n    ${paint(90, event.context.stack.map((frame) => `${frame.function} (${frame.file}:${frame.line})`).join(' ← '))}`;
  }
  const error = event.error;
  for (let cause = error; cause !== undefined; cause = 'type' in (cause.cause ?? {}) ? (cause.cause as typeof error) : undefined) {
    line += `\n    ${paint(31, `${cause.type}: ${cause.message}`)}`;
  }
  return line;
}

export function prettySink(options: PrettyOptions = {}): () => void {
  checkKnownOptions(options, ['level', 'stack', 'colors', 'write'], 'prettySink');
  if (options.stack !== undefined && options.stack !== 'always' && options.stack !== 'errors' && options.stack !== 'never') {
    throw invalidArgument(`prettySink's stack is 'always', 'errors' or 'never', not ${JSON.stringify(options.stack)}`);
  }
  if (options.write !== undefined && typeof options.write !== 'function') throw invalidArgument("prettySink's write is a function of the line");
  const colors = options.colors ?? (typeof process !== 'undefined' && process.stdout?.isTTY === true);
  const write = options.write ?? ((line: string) => console.log(line));
  const stack = options.stack ?? 'errors';
  return addSink((event) => write(formatPretty(event, { stack, colors })), options);
}
