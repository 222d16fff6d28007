/**
 * The differential corpus: programs that exercise what the transform must not change (function
 * shape, `arguments`, defaults, destructuring, `this`, `call`/`apply`/`bind`, optional calls, throws
 * before the first await, thenables, awaits in every expression position, recursion, tick ordering,
 * tagged templates, `for await`, generators, decorators, `super`, `new.target`). Each program exports
 * `run(print)`; the test runs the corpus with and without the transform and compares every line.
 */
import { positionPrograms } from './corpus-positions.js';
import { resourcePrograms } from './corpus-resources.js';
import { iterationErrorPrograms } from './corpus-iteration-errors.js';

interface Form {
  name: string;
  /** Arrows have no `arguments` or `this` of their own. */
  ownThisAndArguments: boolean;
  define(parameters: string, body: string): { setup: string; call: (args: string) => string; reference: string; tag: string };
}

const forms: Form[] = [
  {
    name: 'declaration',
    ownThisAndArguments: true,
    define: (parameters, body) => ({
      setup: `async function target(${parameters}) { ${body} }`,
      call: (args) => `target(${args})`,
      reference: 'target',
      tag: 'target',
    }),
  },
  {
    name: 'expression',
    ownThisAndArguments: true,
    define: (parameters, body) => ({
      setup: `const target = async function named(${parameters}) { ${body} };`,
      call: (args) => `target(${args})`,
      reference: 'target',
      tag: 'target',
    }),
  },
  {
    name: 'arrow',
    ownThisAndArguments: false,
    define: (parameters, body) => ({
      setup: `const target = async (${parameters}) => { ${body} };`,
      call: (args) => `target(${args})`,
      reference: 'target',
      tag: 'target',
    }),
  },
  {
    name: 'method',
    ownThisAndArguments: true,
    define: (parameters, body) => ({
      setup: `class Holder { tag = 'instance'; async target(${parameters}) { ${body} } }\nconst holder = new Holder();`,
      call: (args) => `holder.target(${args})`,
      reference: 'holder.target',
      tag: 'holder.target',
    }),
  },
  {
    name: 'static-method',
    ownThisAndArguments: true,
    define: (parameters, body) => ({
      setup: `class Holder { static tag = 'static'; static async target(${parameters}) { ${body} } }`,
      call: (args) => `Holder.target(${args})`,
      reference: 'Holder.target',
      tag: 'Holder.target',
    }),
  },
  {
    name: 'private-method',
    ownThisAndArguments: true,
    define: (parameters, body) => ({
      setup: `class Holder {
  tag = 'private';
  async #target(${parameters}) { ${body} }
  invoke(...args: any[]) { return this.#target(...args); }
  reference() { return this.#target; }
  tagged(strings: TemplateStringsArray, ...values: any[]) { return this.#target(strings, ...values); }
}
const holder = new Holder();`,
      call: (args) => `holder.invoke(${args})`,
      reference: 'holder.reference()',
      tag: 'holder.tagged',
    }),
  },
  {
    name: 'object-method',
    ownThisAndArguments: true,
    define: (parameters, body) => ({
      setup: `const holder = { tag: 'object', async target(${parameters}) { ${body} } };`,
      call: (args) => `holder.target(${args})`,
      reference: 'holder.target',
      tag: 'holder.target',
    }),
  },
  {
    name: 'computed-method',
    ownThisAndArguments: true,
    define: (parameters, body) => ({
      setup: `const key = 'tar' + 'get';\nconst holder: any = { tag: 'computed', async [key](${parameters}) { ${body} } };`,
      call: (args) => `holder[key](${args})`,
      reference: 'holder[key]',
      tag: 'holder[key]',
    }),
  },
];

interface Feature {
  name: string;
  needsOwnThisAndArguments?: boolean;
  parameters: string;
  /** The body; `RECURSE(args)` is replaced with a call of the function itself. */
  body: string;
  /** The driver; `CALL(args)`, `REF` and `TAG` are replaced per form. */
  driver: string;
}

const features: Feature[] = [
  {
    name: 'length-and-name',
    parameters: 'a: any, b: any = a + 1, { c }: any = { c: b }',
    body: 'await null; return [a, b, c];',
    driver: `print((REF).length, typeof (REF).name);
print(await CALL(1)); print(await CALL(1, 5)); print(await CALL(1, 5, { c: 9 }));`,
  },
  {
    name: 'defaults-reading-earlier',
    parameters: 'a: any, b: any = a * 2, c: any = () => a + b',
    body: 'const first = c(); await null; return [a, b, first, c()];',
    driver: `print(await CALL(1)); print(await CALL(1, undefined)); print(await CALL(1, 3)); print(await CALL(1, 3, () => 7));`,
  },
  {
    name: 'destructuring',
    parameters: '{ x, y = 2, ...others }: any, [first, , third = "t"]: any = []',
    body: 'await Promise.resolve(); return { x, y, others, first, third };',
    driver: `print(await CALL({ x: 1 })); print(await CALL({ x: 1, y: 3, z: 4 }, [5, 6, 7])); print((REF).length);
try { await CALL(); } catch (error: any) { print('caught', error.constructor.name); }`,
  },
  {
    name: 'arguments-object',
    needsOwnThisAndArguments: true,
    parameters: 'a?: any, b?: any',
    body: 'const before = [arguments.length, ...arguments]; await null; return [before, arguments.length, a, b];',
    driver: `print(await CALL()); print(await CALL(1)); print(await CALL(1, 2)); print(await CALL(1, 2, 3, 4)); print((REF).length);`,
  },
  {
    name: 'rest-parameters',
    parameters: 'first?: any, ...rest: any[]',
    body: 'await null; return [first, rest.length, rest];',
    driver: `print(await CALL()); print(await CALL(1)); print(await CALL(1, 2, 3)); print((REF).length);`,
  },
  {
    name: 'this-binding',
    needsOwnThisAndArguments: true,
    parameters: '',
    body: 'const self: any = this; await null; return self === undefined ? "undefined" : self === globalThis ? "global" : self.tag;',
    driver: `print(await CALL()); print(await (REF).call({ tag: 'called' })); print(await (REF).call(undefined));`,
  },
  {
    name: 'call-apply-bind',
    parameters: 'x?: any, y?: any',
    body: 'await null; return [x, y];',
    driver: `print(await (REF).call(null, 1, 2)); print(await (REF).apply(null, [3, 4]));
const bound = (REF).bind(null, 5); print(await bound(6), bound.length, bound.name.startsWith('bound'));`,
  },
  {
    name: 'optional-calls',
    parameters: 'value: any',
    body: 'await null; return value * 2;',
    driver: `const maybe: any = Math.random() > 2 ? undefined : REF; print(await maybe?.(2));
const missing: any = undefined; print(missing?.(3)); print(await CALL(4));`,
  },
  {
    name: 'throw-before-first-await',
    parameters: 'early: any',
    body: 'if (early) throw new TypeError("early " + early); await null; throw new RangeError("late");',
    driver: `for (const early of [1, 0]) {
  let promise: Promise<unknown> | undefined;
  try { promise = CALL(early); print('no synchronous throw', promise instanceof Promise); } catch { print('synchronous throw'); }
  await promise?.then(() => print('resolved'), (error: any) => print('rejected', error.name, error.message));
}`,
  },
  {
    name: 'thenables',
    parameters: 'log: string[]',
    body: `const value = await { then(resolve: (v: number) => void) { log.push('then called'); resolve(41); } };
log.push('after await ' + value);
return { then(resolve: (v: number) => void) { log.push('returned then'); resolve(value + 1); } };`,
    driver: `const log: string[] = [];
const promise = CALL(log);
log.push('sync after call');
Promise.resolve().then(() => log.push('tick 1')).then(() => log.push('tick 2')).then(() => log.push('tick 3')).then(() => log.push('tick 4'));
log.push('result ' + (await promise));
print(log);`,
  },
  {
    name: 'await-positions',
    parameters: 'input: any',
    body: `const one = async () => 1;
const list = [await one(), (await one()) ? await Promise.resolve('yes') : 'no', ...(await Promise.resolve([input]))];
if (await Promise.resolve(false)) list.push('unreachable');
const sum = Math.max(await one(), await Promise.resolve(input));
let fromFinally = '';
try { await Promise.reject(new Error('inner')); } catch (error: any) { list.push(await Promise.resolve(error.message)); } finally { fromFinally = await Promise.resolve('finally'); }
const chained = (await Promise.resolve({ nested: { value: input } })).nested.value;
return [list, sum, fromFinally, chained, typeof (await null), await (input, input + 1)];`,
    driver: `print(await CALL(5));`,
  },
  {
    name: 'recursion',
    parameters: 'n: number',
    body: 'if (n <= 0) return 0; await null; return n + (await RECURSE(n - 1));',
    driver: `print(await CALL(10)); print(await CALL(0));`,
  },
  {
    name: 'tick-ordering',
    parameters: 'name: string, log: string[]',
    body: `log.push(name + ' start'); await null; log.push(name + ' 1'); await Promise.resolve(); log.push(name + ' 2');
await new Promise((resolve) => setTimeout(resolve, 0)); log.push(name + ' 3'); return name;`,
    driver: `const log: string[] = [];
const both = Promise.all([CALL('a', log), CALL('b', log)]);
queueMicrotask(() => log.push('microtask'));
process.nextTick(() => log.push('nextTick'));
log.push('sync');
print(await both, log);`,
  },
  {
    name: 'tagged-templates',
    parameters: 'strings: TemplateStringsArray, ...values: any[]',
    body: 'await null; return [strings.raw, values, Object.isFrozen(strings)];',
    driver: `print(await TAG\`a\${1}b\${'two'}c\`);`,
  },
  {
    name: 'for-await-inside',
    parameters: 'limit: number',
    body: `async function* produce() { for (let index = 0; index < limit; index++) { await null; yield index; } }
const seen: unknown[] = [];
for await (const value of produce()) { if (value === 3) continue; seen.push(value); if (value === 5) break; }
for await (const value of [Promise.resolve('p'), 'plain']) seen.push(value);
label: for await (const value of produce()) { for (;;) { if (value === 1) continue label; break; } seen.push('labelled ' + value); }
return seen;`,
    driver: `print(await CALL(8));`,
  },
  {
    name: 'errors-after-await',
    parameters: 'kind: string',
    body: `await new Promise((resolve) => setTimeout(resolve, 1));
if (kind === 'error') throw new SyntaxError('bad');
if (kind === 'value') throw 42;
return kind;`,
    driver: `for (const kind of ['error', 'value', 'ok']) {
  try { print('returned', await CALL(kind)); } catch (error: any) { print('threw', typeof error, error instanceof Error ? error.name + ': ' + error.message : error); }
}`,
  },
];

function generated(): { name: string; source: string }[] {
  const programs: { name: string; source: string }[] = [];
  for (const feature of features) {
    for (const form of forms) {
      if (feature.needsOwnThisAndArguments && !form.ownThisAndArguments) continue;
      const recurse = form.define('', '').call('').replace(/\)$/, '');
      const defined = form.define(feature.parameters, feature.body.replaceAll('RECURSE(', recurse));
      const driver = feature.driver
        .replaceAll('CALL(', defined.call('').replace(/\)$/, ''))
        .replaceAll('REF', defined.reference)
        .replaceAll('TAG', defined.tag);
      programs.push({
        name: `${feature.name}--${form.name}`,
        source: `// @ts-nocheck\n${defined.setup}\n\nexport async function run(print: (...values: unknown[]) => void): Promise<void> {\n${driver}\n}\n`,
      });
    }
  }
  return programs;
}

/** Hand-written programs for what the feature × form grid does not reach. */
const handWritten: Record<string, string> = {
  'async-generator-protocol': `
async function* numbers() {
  try {
    const received = yield 1;
    yield received;
    yield await Promise.resolve(3);
  } finally {
    await null;
    yield 'from finally';
  }
}
export async function run(print) {
  const a = numbers();
  print(await a.next('ignored'), await a.next('sent'), await a.next(), await a.return('stop'), await a.next(), await a.next());
  const b = numbers();
  await b.next();
  try { print(await b.throw(new Error('thrown in'))); print(await b.next()); } catch (error) { print('threw', error.message); }
  const c = numbers();
  print(await c.return('before start'), await c.next());
  print(typeof numbers, numbers.length, numbers.name, Object.prototype.toString.call(a));
}`,
  'async-generator-delegation': `
class Source {
  constructor(public label: string) {}
  async *items(count: number) { for (let index = 0; index < count; index++) yield this.label + index; }
  static async *merged(a: Source, b: Source) { yield* a.items(2); yield* b.items(2); return 'merged'; }
}
const expression = async function* named(limit: number) { let index = 0; while (index < limit) yield index++; };
export async function run(print) {
  const seen = [];
  for await (const item of Source.merged(new Source('a'), new Source('b'))) seen.push(item);
  const all = Source.merged(new Source('x'), new Source('y'));
  const results = [];
  for (let step = 0; step < 6; step++) results.push(await all.next());
  let broke = 0;
  for await (const value of expression(100)) { if (value > 3) break; broke = value; }
  print(seen, results, broke, expression.name, expression.length);
}`,
  'decorators-and-class-fields': `
const calls: string[] = [];
function logged(method: any, context: ClassMethodDecoratorContext) {
  calls.push('decorate ' + String(context.name));
  return async function (this: any, ...args: any[]) { calls.push('before ' + String(context.name)); const result = await method.apply(this, args); calls.push('after'); return result; };
}
class Service {
  prefix = 'svc';
  handler = async (value: number) => { await null; return this.prefix + value; };
  static create = async () => { await null; return new Service(); };
  @logged async work(value: number) { await null; return this.prefix + ':' + value; }
}
export async function run(print) {
  const service = await Service.create();
  print(await service.work(1), await service.handler(2), service.work.length, service.handler.length, calls);
}`,
  'new-target-and-constructors': `
async function plain() { await null; return new.target === undefined; }
class Widget {
  ready: Promise<string>;
  constructor() { this.ready = this.load(new.target.name); }
  async load(name: string) { await null; return 'loaded ' + name; }
}
class Gadget extends Widget {}
export async function run(print) {
  print(await plain(), await new Widget().ready, await new Gadget().ready);
  try { new (plain as any)(); } catch (error) { print(error.constructor.name); }
}`,
  'super-calls': `
class Base {
  greeting = 'hello';
  async greet(name: string) { await null; return this.greeting + ' ' + name; }
  static async create() { return 'base'; }
}
class Derived extends Base {
  async greet(name: string) {
    const viaArrow = async () => super.greet(name + '!');
    return (await super.greet(name)) + ' / ' + (await viaArrow());
  }
  static async create() { return 'derived from ' + (await super.create()); }
}
export async function run(print) { print(await new Derived().greet('ann'), await Derived.create()); }`,
  'overloads': `
async function parse(value: string): Promise<number>;
async function parse(value: number): Promise<string>;
async function parse(value: string | number): Promise<number | string> { await null; return typeof value === 'string' ? Number(value) : String(value); }
export async function run(print) { print(await parse('42'), await parse(7), parse.length); }`,
  'callbacks-inside-async': `
export async function run(print) {
  const values = [1, 2, 3, 4];
  const mapped = values.map(function (this: any, value) { return value * this.factor; }, { factor: 10 });
  const filtered = values.filter((value) => value % 2 === 0);
  const total = values.reduce((sum, value) => sum + value, 0);
  const sorted = [...values].sort((a, b) => b - a);
  let thrown = '';
  try { values.forEach((value) => { if (value === 3) throw new Error('stop at ' + value); }); } catch (error) { thrown = error.message; }
  const lengths = [(function (a, b) {}).length, ((a, b = 1) => 0).length];
  const deferred = await new Promise((resolve) => setTimeout(function named(this: any, a: string) { resolve([a, typeof this]); }, 1, 'arg'));
  print(mapped, filtered, total, sorted, thrown, lengths, deferred);
}`,
  'arguments-in-nested-arrow': `
async function outer(a?: any, b?: any) {
  const count = () => arguments.length;
  await null;
  const inner = async () => [arguments.length, ...arguments];
  return [count(), await inner(), a, b];
}
export async function run(print) { print(await outer(), await outer(1), await outer(1, 2, 3), outer.length); }`,
  // Which promise settles first is the program's choice: gates opened one macrotask apart, not
  // timers a few milliseconds apart (those race each other on a loaded machine).
  'promise-combinators': `
interface Gate { opened: Promise<void>; open(): void }
function gate(): Gate { let open!: () => void; const opened = new Promise<void>((resolve) => { open = resolve; }); return { opened, open }; }
async function settle(gate: Gate, value: string) { await gate.opened; return value; }
async function fail(gate: Gate, message: string) { await gate.opened; throw new Error(message); }
async function openInOrder(...gates: Gate[]) { for (const gate of gates) { gate.open(); await new Promise((resolve) => setTimeout(resolve, 0)); } }
export async function run(print) {
  const slow = gate(), fast = gate();
  const race = Promise.race([settle(slow, 'slow'), settle(fast, 'fast')]);
  await openInOrder(fast, slow);
  print(await race);
  const ok = gate(), failing = gate();
  const settled = Promise.allSettled([settle(ok, 'ok'), fail(failing, 'failed second')]);
  await openInOrder(ok, failing);
  print((await settled).map((result) => result.status));
  const failFirst = gate(), any = gate();
  const anyOf = Promise.any([fail(failFirst, 'failed first'), settle(any, 'any')]);
  await openInOrder(failFirst, any);
  print(await anyOf);
  const x = gate(), failAfterX = gate();
  const all = Promise.all([settle(x, 'x'), fail(failAfterX, 'failed after x')]).then(() => 'all fulfilled', (error) => error.message);
  await openInOrder(x, failAfterX);
  print(await all);
}`,
  'sync-throw-in-callback': `
export async function run(print) {
  const order: string[] = [];
  try {
    [1].forEach(() => { try { order.push('body'); throw new Error('inner'); } finally { order.push('finally'); } });
  } catch (error) { order.push('caught ' + error.message); }
  const emitter = { listeners: [] as Function[], on(fn: Function) { this.listeners.push(fn); }, emit(v: unknown) { return this.listeners.map((fn) => fn(v)); } };
  emitter.on((value: unknown) => 'got ' + value);
  print(order, emitter.emit(5));
}`,
  'async-iteration-protocol-objects': `
const iterable = {
  [Symbol.asyncIterator]() {
    let index = 0;
    return {
      async next() { await null; return index < 3 ? { value: index++, done: false } : { value: 'end', done: true }; },
      async return() { return { value: 'returned', done: true }; },
    };
  },
};
export async function run(print) {
  const seen = [];
  for await (const value of iterable) { seen.push(value); }
  for await (const value of iterable) { seen.push('early ' + value); break; }
  print(seen);
}`,
  // Microtask ticks: awaits, then-chains, for-await and returned promises must interleave exactly
  // as they do untransformed (the same questions test262's interleaving tests ask).
  'tick-interleaving': `
const turn = () => new Promise((resolve) => setTimeout(resolve, 0));
export async function run(print) {
  const order: string[] = [];
  async function step(label: string) { order.push(label); }
  async function* walk(count: number) { for (let index = 0; index < count; index++) await step('walk ' + index); return 'walked'; }
  void walk(3).next();
  new Promise<void>((resolve) => { order.push('then 0'); resolve(); }).then(() => order.push('then 1')).then(() => order.push('then 2')).then(() => order.push('then 3'));
  await turn();
  print(order);

  const seen: string[] = [];
  async function* countdown(from: number) { let value = from; while (value > 0) yield Promise.resolve(value--); }
  async function consume() { for await (const value of countdown(3)) seen.push('await ' + value); }
  function tick(value: number): unknown { seen.push('then ' + value); return value > 0 ? Promise.resolve(value - 1).then(tick) : undefined; }
  const consumed = consume();
  tick(6);
  await consumed;
  await turn();
  print(seen);

  const ticks: string[] = [];
  async function returnsPromise() { return Promise.resolve('returned promise'); }
  async function returnsAwaited() { return await Promise.resolve('returned await'); }
  async function* generatorReturns() { return Promise.resolve('generator return'); }
  async function* generatorYields() { yield Promise.resolve('generator yield'); }
  void returnsPromise().then((value) => ticks.push(value));
  void returnsAwaited().then((value) => ticks.push(value));
  void generatorReturns().next().then((result) => ticks.push(String(result.value)));
  void generatorYields().next().then((result) => ticks.push(String(result.value)));
  let count = 0;
  const counter = () => { ticks.push('tick ' + count); if (++count < 8) void Promise.resolve().then(counter); };
  void Promise.resolve().then(counter);
  await turn();
  print(ticks);
}`,
  thenables: `
export async function run(print) {
  const calls: string[] = [];
  const callable = { then(resolve: (value: unknown) => void) { calls.push('then called'); resolve('from thenable'); } };
  const notCallable = { then: 42 };
  const throwing = { then() { throw new Error('then threw'); } };
  const settlesTwice = { then(resolve: any, reject: any) { resolve('first'); resolve('second'); reject(new Error('ignored')); } };
  const throwsAfterResolving = { then(resolve: any) { resolve('kept'); throw new Error('ignored'); } };
  const getterThrows = Object.defineProperty({}, 'then', { get() { throw new Error('getter threw'); } });
  const nested = { then(resolve: any) { resolve({ then(inner: any) { inner('nested thenable'); } }); } };
  async function take(value: unknown) { try { return ['ok', await value]; } catch (error: any) { return ['error', error.message]; } }
  print(await take(callable), await take(notCallable), await take(throwing), await take(settlesTwice));
  print(await take(throwsAfterResolving), await take(getterThrows), await take(nested));
  async function giveBack(value: unknown) { return value; }
  print(await giveBack(callable), await giveBack(getterThrows).catch((error: Error) => 'rejected: ' + error.message));
  const order: string[] = [];
  const later = { then(resolve: any) { order.push('then'); resolve(1); } };
  const pending = (async () => { order.push('before await'); await later; order.push('after await'); })();
  order.push('after the call');
  await pending;
  print(order, calls);
}`,
  'async-generator-requests': `
export async function run(print) {
  const cleanups: string[] = [];
  async function* letters() {
    try { yield 'a'; yield 'b'; await null; yield 'c'; } finally { await null; cleanups.push('cleanup'); }
  }
  const queued = letters();
  print(await Promise.all([queued.next(), queued.next(), queued.return('early'), queued.next()]), cleanups.splice(0));
  print(await letters().return(Promise.resolve('awaited return')), cleanups.splice(0));
  const thrownAtStart = letters();
  try { await thrownAtStart.throw(new Error('at start')); } catch (error: any) { print('threw', error.message, await thrownAtStart.next()); }
  async function* delegateToSync() { const result = yield* [Promise.resolve(1), 2]; return result; }
  const fromSync: unknown[] = [];
  for await (const value of delegateToSync()) fromSync.push(value);
  const log: string[] = [];
  const inner = {
    index: 0,
    [Symbol.asyncIterator]() { return this; },
    async next(value: unknown) { log.push('next ' + value); return { value: this.index++, done: this.index > 3 }; },
    async return(value: unknown) { log.push('return ' + value); return { value: 'inner returned', done: true }; },
    async throw(error: unknown) { log.push('throw ' + error); return { value: 'inner caught', done: false }; },
  };
  async function* outer() { const result = yield* inner; log.push('result ' + result); return 'outer done'; }
  const delegating = outer();
  print(await delegating.next('x'), await delegating.next('y'), await delegating.throw('boom'), await delegating.return('bye'), await delegating.next());
  const withoutThrow = { [Symbol.asyncIterator]() { return this; }, async next() { return { value: 'v', done: false }; }, async return() { log.push('closed'); return { done: true }; } };
  async function* outerWithoutThrow() { yield* withoutThrow; }
  const missing = outerWithoutThrow();
  await missing.next();
  try { await missing.throw(new Error('no throw method')); } catch (error: any) { log.push(error.constructor.name); }
  print(fromSync, log);
}`,
  'parameter-initializers': `
export async function run(print) {
  const order: string[] = [];
  const track = (label: string, value: unknown) => { order.push(label); return value; };
  async function ordered(a = track('a', 1), { b = track('b', 2) }: any = track('object', {}), [c = track('c', 3)]: any = track('array', [])) {
    order.push('body');
    await null;
    return [a, b, c];
  }
  print(await ordered(), await ordered(10, { b: 20 }, [30]), order.splice(0));
  async function badDefault(value = (() => { throw new Error('default threw'); })()) { return value; }
  const rejected = badDefault();
  order.push('after the call');
  try { await rejected; } catch (error: any) { order.push('rejected: ' + error.message); }
  async function laterReference(first = second, second = 1) { return first; }
  try { await laterReference(); } catch (error: any) { order.push(error.constructor.name); }
  async function fromNull({ x }: any) { return x; }
  try { await fromNull(null); } catch (error: any) { order.push('destructuring ' + error.constructor.name); }
  const arrow = async (value = order.length) => value;
  print(order, await arrow(), ordered.length, badDefault.length, laterReference.length, fromNull.length, arrow.length);
}`,
  'finally-and-completions': `
export async function run(print) {
  async function returnThroughFinally() { try { return 'try'; } finally { await null; } }
  async function finallyReturns() { try { return 'try'; } finally { return 'finally'; } }
  async function finallyThrows() { try { return 'try'; } finally { await null; throw new Error('finally threw'); } }
  async function rethrowAfterAwait() { try { await Promise.reject(new Error('first')); } catch (error: any) { await null; throw new Error('second after ' + error.message); } }
  async function nested() {
    const steps: string[] = [];
    try { try { steps.push('inner'); return steps; } finally { await null; steps.push('inner finally'); } } finally { steps.push('outer finally'); }
  }
  async function continueFromFinally() { for (const value of [1, 2]) { try { return value; } finally { if (value === 1) continue; } } return 'after the loop'; }
  async function breakLabel() { block: { try { await null; break block; } finally { await null; } } return 'after the label'; }
  async function switchReturn(kind: string) { switch (kind) { case 'a': await null; return 'case a'; case 'b': { try { return 'case b'; } finally { await null; } } default: return 'default'; } }
  const settle = (promise: Promise<unknown>) => promise.then((value) => ['ok', value], (error) => ['error', error.message]);
  print(await settle(returnThroughFinally()), await settle(finallyReturns()), await settle(finallyThrows()), await settle(rethrowAfterAwait()));
  print(await settle(nested()), await settle(continueFromFinally()), await settle(breakLabel()));
  print(await settle(switchReturn('a')), await settle(switchReturn('b')), await settle(switchReturn('c')));
}`,
  // Home objects and unusual keys: super in object-literal methods, symbol and numeric keys,
  // static blocks and private static methods, arrows that see their method's super and arguments.
  'object-literals-and-class-edges': `
const base = { async greet(name: string) { await null; return 'hello ' + name; }, kind: 'base' };
const derived = {
  __proto__: base,
  kind: 'derived',
  async greet(name: string) { const viaArrow = async () => super.greet(name + '?'); return (await super.greet(name)) + ' / ' + (await viaArrow()); },
  async 42() { await null; return 'numeric key'; },
  async ['computed' + 'Key']() { await null; return this.kind; },
  async [Symbol.for('logmill.test')]() { await null; return 'symbol key'; },
  get lazy() { return async () => { await null; return this.kind; }; },
};
class Registry {
  static #count = 0;
  static ready: Promise<string>;
  static { Registry.ready = Registry.#load('static block'); }
  static async #load(label: string) { await null; Registry.#count++; return label + ' ' + Registry.#count; }
  static async more() { return Registry.#load('again'); }
  static has(value: object) { return #load in value; }
  async 'quoted name'(...values: number[]) { const sum = async () => [...arguments].reduce((a, b) => a + b, 0); await null; return [values.length, await sum()]; }
}
export async function run(print) {
  print(await derived.greet('ann'), await derived[42](), await derived.computedKey(), await derived[Symbol.for('logmill.test')](), await derived.lazy());
  print(await Registry.ready, await Registry.more(), Registry.has(Registry), Registry.has({}), await new Registry()['quoted name'](1, 2, 3));
  print(Object.keys(derived), derived.greet.name, derived[42].name, Registry.more.name, Registry.prototype['quoted name'].name, Registry.prototype['quoted name'].length);
}`,
};

export function corpusPrograms(): { name: string; source: string }[] {
  const programs = generated();
  for (const [name, source] of Object.entries({ ...handWritten, ...positionPrograms, ...resourcePrograms, ...iterationErrorPrograms })) programs.push({ name, source: `// @ts-nocheck\n${source}\n` });
  return programs;
}
