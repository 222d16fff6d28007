/**
 * Differential programs for `await` (and `yield`) where the rewrite's comma expression must still
 * parse and evaluate in order: computed keys (object and class), optional chains, `new`, `delete`,
 * `typeof`, exponentiation, destructuring defaults, spread, template substitutions, `for…in` and
 * `for…of` heads, switch discriminants and cases, comma and conditional chains, short-circuits;
 * and labelled jumps out of `for await` bodies, where the rewrite takes the slot again.
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
