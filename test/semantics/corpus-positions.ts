/**
 * Differential programs for `await` (and `yield`) where the rewrite's comma expression must still
 * parse and evaluate in order: computed keys (object and class), optional chains, `new`, `delete`,
 * `typeof`, exponentiation, destructuring defaults, spread, template substitutions, `for…in` and
 * `for…of` heads, switch discriminants and cases, comma and conditional chains, short-circuits;
 * labelled jumps out of `for await` bodies, where the rewrite takes the slot again; `for…of`
 * loops whose body suspends, which iterate through `closeInContext` (rewrite-for-of-iterators.ts);
 * and the iterator protocol of `yield*` and `for await`, stepped through `asyncIterableInContext`,
 * or as written when they call an instrumented async generator in place; array destructuring whose
 * defaults suspend, through `closeInContext` (rewrite-destructuring-iterators.ts).
 */
export const positionPrograms: Record<string, string> = {
  'await-in-unusual-positions': `
export async function run(print) {
  const order: string[] = [];
  const value = async (label: string, result: any = label) => { order.push(label); await null; return result; };
  const target: any = { a: { b: () => 'called b' }, deep: { gone: 1 } };
  class Made { constructor(public label: string) {} }
  const keyed = { [await value('key', 'k1')]: await value('value'), [\`\${await value('template key')}\`]: 1 };
  class WithKeys { [await value('class key', 'method')]() { return 'from method'; } static [await value('static key', 'field')] = 'static value'; }
  const optional = target?.[await value('optional key', 'a')]?.b?.(await value('optional arg'));
  const skipped = (null as any)?.[await value('never evaluated')];
  const made = new (await value('constructor', Made))(await value('constructor arg'));
  const deleted = delete target[await value('delete key', 'deep')];
  const kind = typeof (await value('typeof'));
  const power = (await value('base', 2)) ** (await value('exponent', 10));
  const { missing = await value('destructuring default'), ...rest } = { other: await value('source') } as any;
  const [first = await value('array default'), second] = [undefined, await value('second element')];
  const spread = [...(await value('spread', [1, 2])), ...[await value('inline')]];
  const call = Math.max(...(await value('spread args', [3, 9, 4])));
  const text = \`a\${await value('sub one')}b\${(await value('sub two')).toUpperCase()}c\`;
  const keys: string[] = [];
  for (const key in await value('for in', { x: 1, y: 2 })) keys.push(key);
  for (const item of await value('for of', ['i1', 'i2'])) keys.push(item);
  let branch = '';
  switch (await value('discriminant', 2)) { case await value('case one', 1): branch = 'one'; break; case await value('case two', 2): branch = 'two'; break; default: branch = 'default'; }
  const comma = (await value('comma one'), await value('comma two'));
  const conditional = (await value('test', false)) ? await value('consequent') : await value('alternate');
  const shortCircuit = [(await value('and', 0)) && (await value('and skipped')), (await value('or', 'yes')) || (await value('or skipped')), (await value('nullish', null)) ?? (await value('nullish used'))];
  let assigned: any = {};
  assigned[await value('assign key', 'slot')] ??= await value('assign value');
  assigned.count = (assigned.count ?? 0) + (await value('compound', 5));
  const ignored = void (await value('void'));
  print(keyed, new WithKeys().method(), (WithKeys as any).field, optional, skipped, made.label, deleted, target, kind, power);
  print(missing, rest, first, second, spread, call, text, keys, branch, comma, conditional, shortCircuit, assigned, ignored);
  print(order);
}`,
  'labelled-jumps-out-of-for-await': `
export async function run(print) {
  const log: string[] = [];
  async function* source(name: string) {
    try { for (let index = 0; index < 3; index++) { await null; yield name + index; } } finally { log.push(name + ' closed'); }
  }
  let steps = 0;
  outer: for (let round = 0; (log.push('test ' + round), round < 3); round++, steps++) {
    for await (const item of source('for' + round)) { log.push(item); if (item.endsWith('1')) continue outer; }
  }
  let count = 0;
  again: while (count++ < 2) { for await (const item of source('while')) { if (item === 'while0') continue again; } }
  let times = 0;
  repeat: do { for await (const item of source('do')) { log.push(item); continue repeat; } } while (++times < 2);
  found: { for await (const item of source('block')) { if (item === 'block1') break found; } log.push('unreached'); }
  a: b: for (const letter of ['x', 'y']) { for await (const item of source(letter)) { if (item.endsWith('0')) continue a; } }
  const keys: string[] = [];
  scan: for (const key in { k1: 1, k2: 2 }) { for await (const item of source(key)) { keys.push(item); continue scan; } }
  print(log, steps, count, times, keys);
}`,
  'for-of-iterators-around-suspensions': `
export async function run(print) {
  const log: string[] = [];
  function* counted(name: string, count = 3) {
    try { for (let i = 0; i < count; i++) { log.push(name + ' next ' + i); yield name + i; } } finally { log.push(name + ' closed'); }
  }
  const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
  try {
    for (const item of counted('reject')) { log.push(item); if (item === 'reject1') await Promise.reject(new Error('no')); await tick(); }
  } catch (error: any) { log.push('caught ' + error.message); }
  async function returnsInside() { for (const item of counted('return')) { await null; if (item === 'return1') return item; } return 'none'; }
  log.push(await returnsInside());
  async function* source(name: string) { for (let i = 0; i < 3; i++) { await null; yield name + i; } }
  outer: for (const item of counted('continue')) { for await (const inner of source(item)) { if (inner.endsWith('1')) continue outer; } }
  outer2: for (const item of counted('break')) { for await (const inner of source(item)) { if (item === 'break1') break outer2; } }
  async function* relay() { for (const item of counted('relay')) yield item; }
  for await (const item of relay()) { if (item === 'relay1') break; }
  for (const { name = await Promise.resolve('default') } of [{}, { name: 'given' }] as any[]) log.push('destructured ' + name);
  const bare = { i: 0, [Symbol.iterator]() { return this; }, next() { return this.i < 3 ? { value: this.i++, done: false } : { value: 'end', done: true }; } };
  for (const value of bare) { await null; log.push('bare ' + value); if (value === 1) break; }
  const swapping: any = { [Symbol.iterator]() { let n = 0; const it: any = { next() { it.next = () => ({ done: true, value: undefined }); return n < 3 ? { value: n++, done: false } : { done: true, value: undefined }; } }; return it; } };
  for (const value of swapping) { await null; log.push('swapping ' + value); }
  for (const [key, value] of new Map([['k', 'v']])) { await null; log.push('map ' + key + value); }
  for (const letter of 'hé') { await null; log.push('letter ' + letter); }
  const failures: Array<[string, () => Promise<void>]> = [
    ['not iterable', async () => { for (const value of (42 as any)) { await null; } }],
    ['null', async () => { for (const value of (null as any)) { await null; } }],
    ['iterator not an object', async () => { for (const value of ({ [Symbol.iterator]: () => 1 } as any)) { await null; } }],
    ['result not an object', async () => { for (const value of ({ [Symbol.iterator]: () => ({ next: () => 1 }) } as any)) { await null; } }],
    ['return result not an object', async () => { for (const value of ({ [Symbol.iterator]: () => ({ next: () => ({ value: 1, done: false }), return: () => 5 }) } as any)) { await null; break; } }],
    ['body throws past a bad return', async () => { for (const value of ({ [Symbol.iterator]: () => ({ next: () => ({ value: 1, done: false }), return: () => { throw new Error('from return'); } }) } as any)) { await null; throw new Error('from body'); } }],
    ['return not callable', async () => { for (const value of ({ [Symbol.iterator]: () => ({ next: () => ({ value: 1, done: false }), return: 7 }) } as any)) { await null; break; } }],
  ];
  for (const [name, failing] of failures) {
    try { await failing(); log.push(name + ': no error'); } catch (error: any) { log.push(name + ': ' + error.constructor.name + (error.message.startsWith('from') ? ' ' + error.message : '')); }
  }
  print(log);
}`,
  'yield-star-and-for-await-iterator-protocol': `
export async function run(print) {
  const log: string[] = [];
  // An iterator that logs every method lookup and call, and how many arguments each call got.
  function traced(name: string, kind: 'sync' | 'async', steps: number, methods: { throw?: boolean; return?: boolean } = { throw: true, return: true }) {
    let index = 0;
    const result = (value: unknown, done: boolean) => (kind === 'async' ? Promise.resolve({ value, done }) : { value, done });
    const iterator: any = {};
    Object.defineProperty(iterator, 'next', { get() { log.push(name + ' get next'); return function (...args: unknown[]) { log.push(name + ' next(' + args.length + ':' + String(args[0]) + ')'); return index < steps ? result(name + index++, false) : result(name + ' done', true); }; } });
    Object.defineProperty(iterator, 'throw', { get() { log.push(name + ' get throw'); return methods.throw ? function (error: any) { log.push(name + ' throw ' + error); return result(name + ' caught', true); } : undefined; } });
    Object.defineProperty(iterator, 'return', { get() { log.push(name + ' get return'); return methods.return ? function (...args: unknown[]) { log.push(name + ' return(' + args.length + ':' + String(args[0]) + ')'); return result('returned ' + String(args[0]), true); } : undefined; } });
    const iterable: any = {};
    if (kind === 'async') iterable[Symbol.asyncIterator] = () => { log.push(name + ' [Symbol.asyncIterator]'); return iterator; };
    else iterable[Symbol.iterator] = () => { log.push(name + ' [Symbol.iterator]'); return iterator; };
    return iterable;
  }
  async function drive(name: string, generator: AsyncGenerator<unknown, unknown, unknown>, plan: string[]) {
    for (const step of plan) {
      try {
        const result = step === 'next' ? await generator.next('sent') : step === 'throw' ? await generator.throw('boom') : await generator.return('early');
        log.push(name + ' ' + step + ' -> ' + JSON.stringify(result));
      } catch (error: any) { log.push(name + ' ' + step + ' threw ' + (error instanceof Error ? error.constructor.name : String(error))); }
    }
  }
  for (const kind of ['sync', 'async'] as const) {
    async function* plain() { const result = yield* traced(kind + ' plain', kind, 2); log.push('delegate returned ' + result); return 'outer done'; }
    await drive(kind + ' plain', plain(), ['next', 'next', 'next', 'next']);
    async function* thrown() { yield* traced(kind + ' thrown', kind, 3); }
    await drive(kind + ' thrown', thrown(), ['next', 'throw', 'next']);
    async function* noThrow() { yield* traced(kind + ' no throw', kind, 3, { return: true }); }
    await drive(kind + ' no throw', noThrow(), ['next', 'throw', 'next']);
    async function* returned() { try { yield* traced(kind + ' returned', kind, 3); } finally { log.push(kind + ' outer finally'); } }
    await drive(kind + ' returned', returned(), ['next', 'return', 'next']);
    async function* noReturn() { yield* traced(kind + ' no return', kind, 3, { throw: true }); }
    await drive(kind + ' no return', noReturn(), ['next', 'return']);
  }
  for (const kind of ['sync', 'async'] as const) {
    for await (const value of traced(kind + ' loop', kind, 3)) { log.push('looped ' + value); if (String(value).endsWith('1')) break; }
    try { for await (const value of traced(kind + ' loop throws', kind, 3)) { log.push('looped ' + value); throw new Error('from body'); } } catch (error: any) { log.push('loop threw ' + error.message); }
    for await (const value of traced(kind + ' loop no return', kind, 2, { throw: true })) { log.push('looped ' + value); break; }
    for await (const value of traced(kind + ' loop to the end', kind, 2)) log.push('looped ' + value);
  }
  async function* bad(operand: any) { yield* operand; }
  for (const [name, operand] of [['null', null], ['number', 42], ['iterator not object', { [Symbol.iterator]: () => 5 }], ['async null falls back', { [Symbol.asyncIterator]: null, [Symbol.iterator]: () => [7][Symbol.iterator]() }], ['rejected value', [Promise.reject(new Error('value rejected'))]]] as Array<[string, any]>) {
    await drive(name, bad(operand), ['next', 'next']);
    try { for await (const value of operand) log.push(name + ' looped ' + String(value)); } catch (error: any) { log.push(name + ' loop threw ' + (error instanceof Error ? error.constructor.name : String(error))); }
  }
  print(log);
}`,
  'yield-star-and-for-await-over-instrumented-generators': `
export async function run(print) {
  const log: string[] = [];
  // Called in place, these generators are stepped as written (no wrapper): their completions,
  // closes and errors must still be the engine's.
  async function* inner(name: string) {
    try {
      for (let index = 0; index < 3; index++) {
        try { const sent = yield name + index; log.push(name + ' got ' + String(sent)); }
        catch (error) { log.push(name + ' caught ' + String(error)); await null; yield name + ' recovered'; }
      }
      return name + ' finished';
    } finally { await null; log.push(name + ' finally'); }
  }
  async function* outer(name: string) { const result = yield* inner(name); log.push('outer got ' + result); return 'outer ' + result; }
  async function drive(name: string, plan: string[]) {
    const generator = outer(name);
    for (const step of plan) {
      try {
        const result = step === 'next' ? await generator.next(step) : step === 'throw' ? await generator.throw('boom') : await generator.return('early');
        log.push(name + ' ' + step + ' -> ' + JSON.stringify(result));
      } catch (error) { log.push(name + ' ' + step + ' threw ' + String(error)); }
    }
  }
  await drive('plain', ['next', 'next', 'next', 'next', 'next']);
  await drive('thrown', ['next', 'throw', 'next', 'next']);
  await drive('returned', ['next', 'return', 'next']);
  await drive('thrown before start', ['throw', 'next']);
  for await (const value of inner('loop')) log.push('looped ' + value);
  for await (const value of inner('broken')) { log.push('looped ' + value); break; }
  try { for await (const value of inner('body throws')) { log.push('looped ' + value); throw new Error('from body'); } } catch (error: any) { log.push('loop threw ' + error.message); }
  const interleaved = await Promise.all(['x', 'y'].map(async (name) => { const seen: string[] = []; for await (const value of inner(name)) seen.push(value); return seen.join(); }));
  print(log, interleaved);
}`,
  'array-destructuring-across-suspensions': `
export async function run(print) {
  const log: string[] = [];
  // An iterator that logs its steps and its close; the patterns below destructure through
  // closeInContext when their defaults can suspend.
  function traced(name: string, values: unknown[]) {
    let index = 0;
    const iterator: any = {
      next(...args: unknown[]) { log.push(name + ' next(' + args.length + ')'); return index < values.length ? { value: values[index++], done: false } : { value: undefined, done: true }; },
      return(...args: unknown[]) { log.push(name + ' return(' + args.length + ')'); return {}; },
    };
    return { [Symbol.iterator]: () => iterator };
  }
  const rejects = async (label: string) => { await null; throw new Error(label); };
  try { const [a = await rejects('first default')] = traced('declared', [undefined, 2]); log.push('unreached ' + a); } catch (error: any) { log.push('caught ' + error.message); }
  let x: unknown, y: unknown, rest: unknown[] = [];
  const target: any = {};
  try { [x, target.p = await rejects('member default'), ...rest] = traced('assigned', [1, undefined, 3]); } catch (error: any) { log.push('caught ' + error.message + ' ' + String(x) + ' ' + String(target.p)); }
  [x = await Promise.resolve('filled'), y = 'kept'] = traced('settled', [undefined, 'given', 'extra']);
  log.push('settled ' + String(x) + ' ' + String(y));
  const [p = await Promise.resolve('p'), ...others] = traced('with rest', [undefined, 'q', 'r']);
  log.push('with rest ' + p + ' ' + others.join());
  const [, second = await Promise.resolve('hole filled')] = traced('elision', ['skipped']);
  log.push('elision ' + second);
  const { inner: [deep = await Promise.resolve('deep')] } = { inner: traced('nested', []) } as any;
  log.push('nested ' + deep);
  for (const [k = await Promise.resolve('k')] of [traced('loop head', [])] as any[]) log.push('loop head ' + k);
  let chained: unknown;
  const source = traced('as expression', [undefined]);
  const result = ([chained = await Promise.resolve('chained')] = source);
  log.push('as expression ' + String(chained) + ' ' + String(result === source));
  try { const [z = await rejects('not iterable')] = 42 as any; log.push('unreached ' + z); } catch (error: any) { log.push('caught ' + error.constructor.name); }
  print(log);
}`,
  'yield-in-unusual-positions': `
export async function run(print) {
  async function* positions() {
    const keyed = { [yield 'key']: yield 'value' };
    const text = \`<\${yield 'substitution'}>\`;
    const sum = (yield 'left') + (yield 'right');
    const chosen = (yield 'test') ? yield 'consequent' : yield 'alternate';
    const awaitedYield = await (yield 'inside await');
    const yieldedAwait = yield await Promise.resolve('awaited operand');
    return [keyed, text, sum, chosen, awaitedYield, yieldedAwait];
  }
  const generator = positions();
  const seen: unknown[] = [];
  let input: unknown = undefined;
  let counter = 0;
  for (;;) {
    const step = await generator.next(input);
    seen.push(step.value);
    if (step.done) break;
    input = step.value === 'test' ? 0 : ++counter;
  }
  print(seen);
}`,
};
