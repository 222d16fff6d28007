/**
 * Differential programs for `await using` and `using` in async functions: the transform lowers
 * `await using` blocks itself (transformer/lower-await-using.ts), so these compare its lowering
 * with TypeScript's (targets below ESNext; Node 20 cannot run the native syntax). A ticker counts
 * microtask turns so that a disposal awaited one turn early or late shows.
 */

const resourceHelpers = `
let tick = 0;
let ticking = true;
const ticker = async () => { while (ticking) { tick++; await null; } };
const log: string[] = [];
function resource(name: string, kind: 'async' | 'sync' | 'both', failure?: string): any {
  const value: any = { name };
  if (kind !== 'sync') value[Symbol.asyncDispose] = async function () { log.push(name + ' async dispose at ' + tick + ' this ' + this.name); await null; if (failure) throw new Error(failure); };
  if (kind !== 'async') value[Symbol.dispose] = function () { log.push(name + ' sync dispose at ' + tick); if (failure) throw new Error(failure); };
  return value;
}
function describe(error: any): unknown {
  if (!(error instanceof Error)) return error;
  return [error.name, error.message, 'error' in error ? describe(error.error) : null, 'suppressed' in error ? describe(error.suppressed) : null];
}
const settle = (promise: Promise<unknown>) => promise.then((value) => ['ok', value], (error) => ['error', describe(error)]);
`;

export const resourcePrograms: Record<string, string> = {
  'await-using-disposal-order': `${resourceHelpers}
export async function run(print) {
  void ticker();
  async function ordered() {
    log.push('enter at ' + tick);
    await using first = resource('first', 'async');
    using second = resource('second', 'sync');
    await using nothing = null;
    await using third = resource('third', 'sync');
    await using fourth = resource('fourth', 'both');
    log.push('body at ' + tick);
    return 'returned at ' + tick;
  }
  const result = await ordered();
  log.push('after at ' + tick);
  async function onlySync() { using only = resource('only', 'sync'); log.push('sync body at ' + tick); return 'sync'; }
  async function onlyNull() { await using empty = undefined; log.push('null body at ' + tick); return 'null'; }
  // A null resource owes an await, paid before the synchronous disposal declared ahead of it.
  async function nullAfterSync() { using last = resource('last', 'sync'); await using empty = null; log.push('null after sync body at ' + tick); return 'null after sync'; }
  const more = [await onlySync(), 'at ' + tick, await onlyNull(), 'at ' + tick, await nullAfterSync(), 'at ' + tick];
  ticking = false;
  print(result, log, more);
}`,
  'await-using-errors': `${resourceHelpers}
export async function run(print) {
  async function bodyAndDisposersThrow() {
    await using a = resource('a', 'async', 'a failed');
    await using b = resource('b', 'sync', 'b failed');
    throw new Error('body failed');
  }
  async function disposerThrows() { await using a = resource('a', 'async', 'only a failed'); return 'unreached value'; }
  async function notDisposable() { log.push('before'); await using x = {} as any; log.push('unreached'); }
  async function primitive() { await using x = 42 as any; }
  async function throwsBeforeDeclaration() { await using a = resource('early', 'async'); if (a) throw new Error('thrown after a'); await using b = resource('never', 'async'); }
  print(await settle(bodyAndDisposersThrow()), await settle(disposerThrows()));
  print(await settle(notDisposable()), await settle(primitive()), await settle(throwsBeforeDeclaration()), log);
}`,
  'await-using-control-flow': `${resourceHelpers}
export async function run(print) {
  void ticker();
  async function loop() {
    const seen: string[] = [];
    for (const name of ['x', 'y', 'z']) {
      await using held = resource(name, 'async');
      if (name === 'x') continue;
      seen.push(name + ' at ' + tick);
      if (name === 'y') break;
    }
    return seen;
  }
  async function nested() {
    let state = 'open';
    {
      await using outer = { async [Symbol.asyncDispose]() { await null; state += ', outer closed'; } };
      {
        await using inner = { [Symbol.dispose]() { state += ', inner closed'; } };
        state += ', inner body';
      }
      state += ', outer body';
    }
    try {
      await using inTry = resource('in try', 'async');
      state += ', try body';
    } finally {
      state += ', finally at ' + tick;
    }
    return state;
  }
  async function* sources() { yield resource('g1', 'async'); await null; yield resource('g2', 'both'); }
  async function loops() {
    const names: string[] = [];
    for (await using each of [resource('l1', 'async'), resource('l2', 'sync'), null]) names.push(each ? each.name : 'null');
    for await (await using each of sources()) { names.push(each.name + ' at ' + tick); }
    return names;
  }
  async function returnsBeforeDisposal() {
    let state = 'open';
    await using closing = { async [Symbol.asyncDispose]() { state = 'closed'; } };
    return [state, () => state];
  }
  async function forHeads() {
    const seen: string[] = [];
    for (await using first = resource('head', 'async'), second = resource('head sync', 'sync'); seen.length < 2; seen.push('iteration at ' + tick)) log.push('body ' + first.name + ' ' + second.name);
    // (A labelled one is in the await-using fixture only: TypeScript's own lowering moves the
    // label off the loop, so the untransformed program would not parse.)
    return [seen, 'at ' + tick];
  }
  const [before, after] = (await returnsBeforeDisposal()) as any;
  const results = [await settle(loop()), await settle(nested()), await settle(loops()), before, after(), await settle(forHeads())];
  ticking = false;
  print(results, log);
}`,
  'using-in-blocks-that-suspend': `${resourceHelpers}
export async function run(print) {
  void ticker();
  async function ordered() {
    using first = resource('first', 'sync');
    log.push('first body at ' + tick);
    await null;
    using second = resource('second', 'both');
    { using inner = resource('inner', 'sync'); await null; log.push('inner body at ' + tick); }
    return 'returned at ' + tick;
  }
  async function rejected() {
    using held = resource('held', 'sync');
    await Promise.reject(new Error('rejected await'));
  }
  async function disposerThrows() {
    using a = resource('a', 'sync', 'a failed');
    using b = resource('b', 'sync', 'b failed');
    await null;
    throw new Error('body failed');
  }
  async function notDisposable() { using x = {} as any; await null; }
  async function nullResource() { using nothing = null; await null; return 'null at ' + tick; }
  async function* sources() { yield 'one'; await null; yield 'two'; }
  async function loops() {
    const names: string[] = [];
    for (using each of [resource('l1', 'sync'), null, resource('l2', 'both')]) { await null; names.push(each ? each.name + ' at ' + tick : 'null'); }
    for (using head = resource('head', 'sync'); names.length < 5; names.push('step at ' + tick)) await null;
    found: { using labelled = resource('labelled', 'sync'); for await (const item of sources()) { if (item === 'two') break found; } names.push('unreached'); }
    return names;
  }
  const results = [await settle(ordered()), await settle(rejected()), await settle(disposerThrows()), await settle(notDisposable()), await settle(nullResource()), await settle(loops())];
  ticking = false;
  print(results, log);
}`,
};
