/**
 * The context model: an immutable chain of contexts, each holding one stack frame and the context
 * variables in force. Everything here is shared through one registry on `globalThis`, so that two
 * copies of the runtime in one process (an ESM and a CommonJS build, or two installed versions) see
 * the same ambient slot and accept each other's contexts.
 */
import { frozenMerge } from './frozen-merge.js';
import { sharedState } from './shared-state.js';

/** Where an instrumented function lives in the source, recorded once per function at build time. */
export interface Frame {
  /** The function's name as written, or `<anonymous>`. */
  readonly function: string;
  /** The hierarchical module name derived from the file path, such as `api/checkout/payment`. */
  readonly module: string;
  /** The source file path relative to the project root. */
  readonly file: string;
  /** The 1-based line of the function in the original source. */
  readonly line: number;
}

/** Context variables: experiments, request ids, user ids, anything inherited by code called below. */
export type ContextVariables = Readonly<Record<string, unknown>>;

const emptyVariables: ContextVariables = Object.freeze({});

/**
 * One logical activation. Contexts never change meaning: entering a function or adding variables
 * makes a child, so a context captured by a callback keeps meaning what it meant when it was captured.
 * Because of that, activations of the same function from the same parent may share one context
 * (see `lastChild`).
 */
export class LogmillContext {
  // The brand `isContext` tests: `#brand in value` reads nothing of another object, where
  // `instanceof` would run a Proxy's `getPrototypeOf` trap (or throw for a revoked one).
  #brand: undefined;

  /**
   * True for a context of this class (so of every copy sharing the registry). Runs no user code:
   * the hidden parameter also receives whatever extra argument a caller passed.
   */
  static is(value: unknown): value is LogmillContext {
    return typeof value === 'object' && value !== null && #brand in value;
  }

  /** How many ancestors this context has; the root has 0. */
  readonly depth: number;
  /**
   * The child most recently entered from this context for a function frame, reused while the same
   * function is entered again. A loop calling the same functions then allocates no contexts at all,
   * and the contexts it stores into the ambient slot are long-lived, which spares V8's write barrier
   * the old-to-young stores that otherwise dominate the protocol's cost. One entry per context keeps
   * the memory bounded: a context holds at most one cached child.
   * @internal
   */
  lastChild: LogmillContext | undefined = undefined;

  constructor(
    /** The context this one was entered from, or `undefined` for the root. */
    readonly parent: LogmillContext | undefined,
    /** The frame this context adds to the logical stack, or `undefined` when it only adds variables. */
    readonly frame: Frame | undefined,
    /** The variables in force, this context's own merged over its parent's. */
    readonly variables: ContextVariables,
    /**
     * An opaque value a bridge carries along (the OpenTelemetry context), inherited like the
     * variables but never serialized; copied from the parent so reading it is one property load.
     */
    readonly carried: unknown = parent?.carried,
  ) {
    this.depth = parent === undefined ? 0 : parent.depth + 1;
  }

  /** True when this context is `ancestor` or was entered, at any depth, from it. */
  isWithin(ancestor: LogmillContext): boolean {
    // Depths fall by one per parent: only the ancestor's depth can hold it.
    let context: LogmillContext | undefined = this;
    while (context !== undefined && context.depth > ancestor.depth) context = context.parent;
    return context === ancestor;
  }
}

/** Something that knows the context when no instrumented code is on the stack (AsyncLocalStorage). */
export interface AmbientFallback {
  /** The context stored for the current asynchronous resource, if any. */
  get(): LogmillContext | undefined;
  /** Runs `fn` so that asynchronous work it starts keeps `context`. */
  run<T>(context: LogmillContext, fn: () => T): T;
  /** Makes `context` the one the rest of this synchronous run, and what it starts, keeps. */
  enterWith?(context: LogmillContext | undefined): void;
}

/**
 * The process-wide state behind the runtime. `current` is the ambient slot: set only for the
 * synchronous extent of instrumented code and restored whenever that code suspends or returns.
 */
export interface ContextRegistry {
  current: LogmillContext | undefined;
  readonly root: LogmillContext;
  readonly Context: typeof LogmillContext;
  fallback: AmbientFallback | undefined;
  fallbackEnabled: boolean;
  /** Turns the fallback on; installed by the Node entry, a no-op elsewhere. */
  enableFallback: () => boolean;
  /** Set when the fallback was disabled by the application, so nothing re-enables it implicitly. */
  fallbackDisabledByUser: boolean;
  /** The innermost context a throw last unwound, until `contextOfThrown` takes it (thrown.ts). */
  abandoned?: LogmillContext | undefined;
  /** Bumped on breaking changes to this shape; copies of a different version keep their own. */
  readonly version: number;
}

// 2: contexts carry `carried`. 3: contexts cache `lastChild`. 4: the class has `is`.
const REGISTRY_VERSION = 4;
function createRegistry(): ContextRegistry {
  return {
    current: undefined,
    root: new LogmillContext(undefined, undefined, emptyVariables),
    Context: LogmillContext,
    fallback: undefined,
    fallbackEnabled: false,
    enableFallback: () => false,
    fallbackDisabledByUser: false,
    version: REGISTRY_VERSION,
  };
}

/** The shared registry; created by whichever copy of the runtime loads first. */
export const registry: ContextRegistry = /* @__PURE__ */ sharedState(`context-registry.v${REGISTRY_VERSION}`, createRegistry);

/** The class every copy of the runtime uses, so `isContext` holds across copies. */
export const Context: typeof LogmillContext = registry.Context;

/** True for a context minted by any copy of this runtime version; never runs user code. */
export const isContext: (value: unknown) => value is LogmillContext = Context.is;

/** The ambient context: the slot, then the fallback, then the root. */
export function ambientContext(): LogmillContext {
  const current = registry.current;
  if (current !== undefined) return current;
  if (registry.fallbackEnabled) {
    const stored = registry.fallback!.get();
    if (stored !== undefined) return stored;
  }
  return registry.root;
}

/** Makes a child of `parent` carrying `variables` merged over the parent's. */
export function childWithVariables(parent: LogmillContext, variables: ContextVariables): LogmillContext {
  return new Context(parent, undefined, frozenMerge(parent.variables === emptyVariables ? undefined : parent.variables, variables));
}
