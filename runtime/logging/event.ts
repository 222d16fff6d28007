/**
 * The event envelope (ARCHITECTURE.md). Events are cheap to create: the message is rendered, the
 * context serialized and the error described only when a sink asks.
 */
import { currentSessionId } from '../session.js';
import { type TraceIds, traceIdsOf } from '../trace-context.js';
import { type ContextVariables, type Frame, type LogmillContext } from '../context.js';
import type { CompiledTemplate } from '../format/compile-template.js';
import { formatSimple, formatTemplateLiteral } from '../format/format-simple.js';
import { messageRenderer } from '../format/message-renderer.js';
import { logicalStack } from '../stack.js';
import { type ErrorInfo, describeError, findError } from './errors.js';
import { severityText } from './levels.js';
import { uuidv7 } from './uuid.js';

/** Where a log call is in the source, recorded once per call site at build time by the transformer. */
export interface CallSite {
  readonly module: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly function: string;
  /** The template, when the message was a literal (or a template literal compiled into one). */
  readonly template?: string | undefined;
  /** That template, parsed at build time. */
  readonly compiledTemplate?: CompiledTemplate | undefined;
}

export const SCHEMA_VERSION = 1;

const contextViews = new WeakMap<LogmillContext, { vars: ContextVariables; stack: readonly Frame[] }>();

/** The serializable view of a context, computed once per context (contexts never change). */
export function contextView(context: LogmillContext): { vars: ContextVariables; stack: readonly Frame[] } {
  let view = contextViews.get(context);
  if (view === undefined) {
    view = { vars: context.variables, stack: logicalStack(context) };
    contextViews.set(context, view);
  }
  return view;
}

export class LogmillEvent {
  /** UUIDv7, minted here: the collector's dedup key. */
  readonly id: string;
  /** Milliseconds since the Unix epoch. */
  readonly ts: number;
  #message: string | undefined;
  #formatError: string | undefined;
  #rendered = true;

  constructor(
    readonly kind: 'log' | 'event',
    /** The event name for analytic events; the template for logs. */
    readonly name: string,
    readonly severityNumber: number,
    /** The message template, kept apart from its args so events group by template. */
    readonly template: string,
    readonly args: readonly unknown[],
    /** Attributes: bound (`log.with`), module fields and event properties. */
    readonly attributes: Readonly<Record<string, unknown>>,
    /** The context in force where the event was logged. */
    readonly logContext: LogmillContext,
    /** The call site, when the transformer stamped the call. */
    readonly code: CallSite | undefined,
  ) {
    this.ts = Date.now();
    this.id = uuidv7(this.ts);
  }

  /** The OpenTelemetry severity text: TRACE, DEBUG, INFO, WARN, ERROR, FATAL. */
  get severity(): string {
    return severityText(this.severityNumber);
  }

  /** The rendered message (Python `%` rules), rendered on first use. */
  get message(): string {
    this.#render();
    return this.#message!;
  }

  /**
   * False when no full renderer is installed (the browser entry) and the template needed one:
   * `message` is then the bare template, and the collector renders it from template and args.
   */
  get messageRendered(): boolean {
    this.#render();
    return this.#rendered;
  }

  /** Why the template or its args were bad, if they were; the message renders what it could. */
  get formatError(): string | undefined {
    this.#render();
    return this.#formatError;
  }

  /** Renders the message, once. */
  #render(): void {
    if (this.#message !== undefined) return;
    // Plain text, and `%s` and `%d` of strings, integers and errors (where Python's `%` and
    // JavaScript's template literals agree) render here; anything else needs the full renderer.
    const simple = formatSimple(this.template, this.args);
    if (simple !== undefined) {
      this.#message = simple;
      return;
    }
    const code = this.code;
    const compiled = code?.template === this.template ? code!.compiledTemplate : undefined;
    const renderer = messageRenderer();
    if (renderer === undefined) {
      // The browser entry: a template literal renders as JavaScript would; the collector renders
      // anything else from template and args.
      const literal = compiled && formatTemplateLiteral(compiled, this.args);
      this.#message = literal ?? this.template;
      this.#rendered = literal !== undefined;
      return;
    }
    const result = renderer(this.template, this.args, compiled);
    this.#message = result.text;
    this.#formatError = result.error;
  }

  /** The context variables and the logical async stack where the event was logged. */
  get context(): { vars: ContextVariables; stack: readonly Frame[] } {
    return contextView(this.logContext);
  }

  /** The active trace and span where the event was logged, when a tracing bridge knows them. */
  get trace(): TraceIds | undefined {
    return traceIdsOf(this.logContext);
  }

  /** The session: a `sessionId` context variable, else the one set with `setSessionId`. */
  get sessionId(): string | undefined {
    const value = this.logContext.variables['sessionId'];
    return value === undefined ? currentSessionId() : String(value);
  }

  /** The user set with `identify` or a `userId` context variable. */
  get userId(): string | undefined {
    const value = this.logContext.variables['userId'];
    return value === undefined ? undefined : String(value);
  }

  /** The first Error among the args, with its cause chain. */
  get error(): ErrorInfo | undefined {
    const error = findError(this.args) ?? (this.attributes['error'] instanceof Error ? this.attributes['error'] : undefined);
    return error === undefined ? undefined : describeError(error);
  }
}
