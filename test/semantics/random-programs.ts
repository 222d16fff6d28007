/**
 * Random async programs for the differential test: a seeded generator of TypeScript source that
 * mixes what the rewrite touches (await in expression positions, loops with labelled jumps,
 * try/catch/finally with returns and awaits in them, for await, generators closed early, async
 * callbacks, destructuring defaults, calls between instrumented functions) in combinations nobody
 * wrote by hand. Each program logs what it does; run with and without the transform, the logs
 * must be the same, microtask turn for turn. Checks spread through the code (`here`) also log when
 * the innermost frame of the logical stack is not the function running, which only the
 * transformed run could get wrong.
 */
import { seededRandom } from '../../server/analytics/seeded-random.js';

interface Scope {
  /** The frame this code runs in: its function's name, `<anonymous>` in an async arrow. */
  fn: string;
  /** Functions this one may call (only later ones, so calls always end). */
  callees: string[];
  /** Labels of the loops around this point, innermost last; '' for an unlabelled loop. */
  loops: string[];
  /** Whether `yield` is allowed (an async generator's body). */
  generator: boolean;
  depth: number;
}

class ProgramWriter {
  private readonly next: () => number;
  private counter = 0;

  constructor(seed: number) {
    // Seeded, so a failing program can be regenerated and read.
    this.next = seededRandom(seed);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  private chance(probability: number): boolean {
    return this.next() < probability;
  }

  private id(): number {
    return ++this.counter;
  }

  expression(scope: Scope, depth = 0): string {
    const leaves = ['x', 'a', String(Math.floor(this.next() * 5))];
    if (depth >= 2) return this.pick(leaves);
    const inner = () => this.expression(scope, depth + 1);
    const forms: Array<() => string> = [
      () => this.pick(leaves),
      () => `await tick(${inner()})`,
      () => `await later(${inner()})`,
      () => `(await fail(${this.id()}).catch((error: any) => error.message))`,
      () => `(${inner()} + ${inner()})`,
      () => `(${this.condition(scope, depth + 1)} ? ${inner()} : ${inner()})`,
      () => `\`<\${${inner()}}>\``,
      () => `(await Promise.all([${inner()}, tick(${inner()})]))[1]`,
      () => `[${inner()}, ${inner()}].length`,
      () => {
        const key = `k${this.id()}`;
        return `({ [await tick('${key}')]: ${inner()} }).${key}`;
      },
    ];
    if (scope.callees.length > 0) {
      forms.push(() => `await ${this.call(this.pick(scope.callees), inner())}`);
      forms.push(() => `${this.pick(scope.callees)}.length`);
    }
    forms.push(() => `arguments.length`);
    forms.push(() => `await new ${this.pick(['Base', 'Derived'])}(${inner()}).value(${inner()})`);
    if (scope.generator) {
      forms.push(() => `(yield ${inner()})`);
      forms.push(() => `(yield* ${this.pick(['agen(2)', 'sgen(2)', '[7, 8]'])})`);
    }
    return this.pick(forms)();
  }

  /** A call of `name` in one of the forms whose callee the rewrite must prove (or leave alone). */
  call(name: string, argument: string): string {
    return this.pick([
      () => `${name}(${argument})`,
      () => `${name}?.(${argument})`,
      () => `${name}.call(undefined, ${argument})`,
      () => `${name}.apply(undefined, [${argument}])`,
      () => `${name}.bind(undefined)(${argument})`,
      () => `(0, ${name})(${argument})`,
      () => `({ ${name} }).${name}(${argument})`,
      () => `${name}(${argument}, 'extra')`,
    ])();
  }

  condition(scope: Scope, depth = 0): string {
    return this.pick([
      () => `x > ${Math.floor(this.next() * 4)}`,
      () => `a % 2 === 0`,
      () => `(await tick(a > ${Math.floor(this.next() * 3)}))`,
      () => `String(${this.expression(scope, depth + 1)}).length > 2`,
    ])();
  }

  block(scope: Scope, count = 1 + Math.floor(this.next() * 3)): string {
    return Array.from({ length: count }, () => this.statement(scope)).join('\n');
  }

  statement(scope: Scope): string {
    const inner: Scope = { ...scope, depth: scope.depth + 1 };
    const simple: Array<() => string> = [
      () => `here('${scope.fn}');`,
      () => `log('s${this.id()} ' + (${this.expression(scope)}));`,
      () => `x = ${this.expression(scope)};`,
      () => `if (${this.condition(scope)}) throw new Error('t${this.id()}');`,
      () => {
        const name = `d${this.id()}`;
        return `const [${name} = await tick('default')] = sgen(${Math.floor(this.next() * 2)}); log('${name} ' + ${name});`;
      },
      () => `[1, 2].forEach((v) => { here('${scope.fn}'); log('each ' + v + ' ' + x); });`,
      // Callbacks created here and run later by the host keep this function's context.
      () => `await new Promise((resolve) => setTimeout(() => { here('${scope.fn}'); log('timer ' + x); resolve(null); }, 0));`,
      () => `await new Promise((resolve) => queueMicrotask(() => { here('${scope.fn}'); resolve(null); }));`,
      () => `x = await tick(x).then((value) => { here('${scope.fn}'); return value; });`,
    ];
    if (scope.fn === 'f0' || scope.fn === 'f1') {
      // A consumer of the async generator that stops early (its finally then runs) or drains it.
      simple.push(() => `for await (const v of g0(x)) { here('${scope.fn}'); log('consumed ' + v); ${this.chance(0.5) ? 'break;' : ''} }`);
    }
    if (scope.loops.length > 0) {
      simple.push(() => `if (${this.condition(scope)}) ${this.pick(['break', 'continue'])}${this.jumpTarget(scope)};`);
    }
    simple.push(() => `if (${this.condition(scope)}) return ${this.expression(scope)};`);
    if (scope.depth >= 3) return this.pick(simple)();
    const compound: Array<() => string> = [
      () => `if (${this.condition(scope)}) {\n${this.block(inner)}\n} else {\n${this.block(inner)}\n}`,
      () => this.loop(inner, (body) => {
        const index = `i${this.id()}`;
        return `for (let ${index} = 0; ${index} < 2; ${index}++) {\n${body}\n}`;
      }),
      () => this.loop(inner, (body) => `for (const v of ${this.pick(['[1, 2]', 'sgen(2)', 'new Set([3, 4])'])}) {\n${body}\n}`),
      () => this.loop(inner, (body) => `for await (const v of ${this.pick(['agen(2)', '[tick(5), 6]', 'sgen(2)'])}) {\n${body}\n}`),
      () => `try {\n${this.block(inner)}\n} catch (error: any) {\nhere('${scope.fn}');\nlog('caught ' + error.message);\n${this.block(inner, 1)}\n} finally {\nhere('${scope.fn}');\nlog('finally ${this.id()}');\n${this.chance(0.5) ? this.block(inner, 1) : ''}\n}`,
      () => {
        const guard = `w${this.id()}`;
        return `{\nlet ${guard} = 0;\n${this.loop(inner, (body) => `while (${guard}++ < 2 && (await tick(${this.condition(scope)} || true))) {\n${body}\n}`)}\n}`;
      },
      () => this.loop(inner, (body) => {
        const index = `j${this.id()}`;
        return `for (let ${index} = await tick(0); ${index} < (await later(2)); ${index} = await tick(${index} + 1)) {\n${body}\n}`;
      }),
      () => this.loop(inner, (body) => `do {\n${body}\n} while (await tick(false));`),
      () => {
        const label = `b${this.id()}`;
        return `${label}: {\n${this.block(inner, 1)}\nif (${this.condition(scope)}) break ${label};\n${this.block(inner, 1)}\n}`;
      },
      () => `try {\n${this.block(inner, 1)}\nreturn await ${this.pick(['tick', 'later'])}(${this.expression(scope)});\n} finally {\nlog('finally ${this.id()} ' + x);\n${this.chance(0.3) ? `x = ${this.expression(scope)};` : ''}\n}`,
      () => `switch (x % 3) {\ncase 0:\n${this.block(inner, 1)}\nbreak;\ncase 1:\n${this.block(inner, 1)}\ndefault:\n${this.block(inner, 1)}\n}`,
      () => `log('all ' + (await Promise.all([1, 2].map(async (v) => {\n${this.block({ ...inner, fn: '<anonymous>', loops: [], generator: false }, 1)}\nhere('<anonymous>');\nreturn v;\n}))).join());\nhere('${scope.fn}');`,
    ];
    return this.chance(0.55) ? this.pick(compound)() : this.pick(simple)();
  }

  private jumpTarget(scope: Scope): string {
    const labelled = scope.loops.filter((label) => label !== '');
    return labelled.length > 0 && this.chance(0.5) ? ` ${this.pick(labelled)}` : '';
  }

  private loop(scope: Scope, write: (body: string) => string): string {
    const label = this.chance(0.4) ? `l${this.id()}` : '';
    const body = this.block({ ...scope, loops: [...scope.loops, label] });
    return `${label === '' ? '' : `${label}: `}${write(`here('${scope.fn}');\n${body}`)}\nhere('${scope.fn}');`;
  }

  program(): string {
    const functions: string[] = [];
    const names = ['f0', 'f1', 'f2', 'f3'];
    names.forEach((name, index) => {
      const scope: Scope = { fn: name, callees: names.slice(index + 1), loops: [], generator: false, depth: 0 };
      // Parameter lists the hidden parameter must fit around (or stay out of): plain, a default
      // that reads an earlier parameter, a rest parameter.
      const parameters = this.pick(['a: any', 'a: any, b: any = [a, arguments.length]', 'a: any, ...rest: any[]']);
      const seen = parameters.includes('rest') ? `log('${name} rest ' + rest.length);` : parameters.includes('b') ? `log('${name} b ' + JSON.stringify(b));` : '';
      functions.push(`async function ${name}(${parameters}): Promise<any> {\nlet x: any = a;\nhere('${name}');\nlog('${name} arguments ' + arguments.length);\n${seen}\n${this.block(scope, 2 + Math.floor(this.next() * 3))}\nhere('${name}');\nreturn 'end ' + x;\n}`);
    });
    const generatorScope: Scope = { fn: 'g0', callees: ['f2', 'f3'], loops: [], generator: true, depth: 1 };
    functions.push(`async function* g0(a: any): AsyncGenerator<any, any, any> {\nlet x: any = a;\nhere('g0');\n${this.block(generatorScope, 2)}\nhere('g0');\nreturn 'g-end ' + x;\n}`);
    // Type-checked loosely, as the hand-written corpus is: only what the programs do is compared.
    return `// @ts-nocheck
import { logicalStack } from 'logmill';
export async function run(print) {
  const trace: string[] = [];
  const log = (value: any) => { trace.push(String(value)); };
  // Untransformed there are no frames and this checks nothing; transformed, the innermost frame
  // must be the function whose code runs, wherever control flow resumed it.
  const instrumented = logicalStack().length > 0;
  const here = (name: string) => { const top = logicalStack()[0]; if (instrumented && top?.function !== name) log('in ' + name + ' the stack says ' + top?.function); };
  const tick = async (value: any) => { await null; return value; };
  const later = (value: any) => new Promise<any>((resolve) => setTimeout(() => resolve(value), 0));
  const fail = async (code: any): Promise<never> => { await null; throw new Error('f' + code); };
  function* sgen(count: number) { try { for (let i = 0; i < count; i++) { log('sgen ' + i); yield i; } } finally { log('sgen closed'); } }
  async function* agen(count: number) { try { for (let i = 0; i < count; i++) { await null; log('agen ' + i); yield i; } } finally { log('agen closed'); } }
${functions.join('\n')}
  class Base {
    n: any;
    constructor(n: any) { this.n = n; }
    async value(b: any): Promise<any> { here('Base.value'); await tick(null); here('Base.value'); return String(this.n) + b + arguments.length; }
  }
  class Derived extends Base {
    async value(b: any): Promise<any> {
      here('Derived.value');
      const base = await super.value(b);
      here('Derived.value');
      return [base, await (async () => { here('<anonymous>'); return this.n; })()].join('/');
    }
  }
  const settle = async (promise: Promise<any>) => { try { log('result ' + JSON.stringify(await promise)); } catch (error: any) { log('threw ' + (error?.message ?? String(error))); } };
  for (const input of [0, 1, 2, 3]) await settle(f0(input));
  await Promise.all([settle(f0(4)), settle(f1(5)), settle(f2(6))]);
  const generator = g0(1);
  for (const step of ['next', 'next', 'return', 'next']) {
    try { const result = step === 'next' ? await generator.next(7) : await generator.return('stopped'); log(step + ' ' + JSON.stringify(result)); }
    catch (error: any) { log(step + ' threw ' + error.message); }
  }
  print(trace);
}`;
  }
}

/** `count` random programs, named by their seed. */
export function randomPrograms(count: number, firstSeed = 1): Array<{ name: string; source: string }> {
  return Array.from({ length: count }, (_, index) => {
    const seed = firstSeed + index;
    return { name: `random-${seed}`, source: new ProgramWriter(seed).program() };
  });
}
