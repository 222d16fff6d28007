// bench/context-propagation/for-of-iterators.mjs: what an instrumented `for…of` loop whose body
// can suspend pays for iterating through `closeInContext` (transformer/rewrite-for-of-iterators.ts),
// against the same loop as written, in one process: a loop of 1,000 iterations whose body only
// awaits the value (the cheapest body that can suspend), over a Set and over a generator; and what a
// `for await` loop pays for `asyncIterableInContext` over an async generator, which the transform
// now leaves out when the loop calls an instrumented one in place.
// Usage: node bench/context-propagation/for-of-iterators.mjs   (after npm run build)
import { registry } from '../../dist/esm/runtime/context.js';
import { asyncIterableInContext, closeInContext } from '../../dist/esm/runtime/iterate-in.js';
import { median } from '../lib/compile.mjs';

const context = registry.root;
const values = new Set(Array.from({ length: 1000 }, (_, index) => index));
function* generated() {
  for (let index = 0; index < 1000; index++) yield index;
}
async function* generatedAsync() {
  for (let index = 0; index < 1000; index++) yield index;
}
const loops = {
  Set: {
    asWritten: async () => { let sum = 0; for (const value of values) sum += await value; return sum; },
    wrapped: async () => { let sum = 0; for (const value of closeInContext(values, context)) sum += await value; return sum; },
  },
  generator: {
    asWritten: async () => { let sum = 0; for (const value of generated()) sum += await value; return sum; },
    wrapped: async () => { let sum = 0; for (const value of closeInContext(generated(), context)) sum += await value; return sum; },
  },
  'async generator (for await)': {
    asWritten: async () => { let sum = 0; for await (const value of generatedAsync()) sum += value; return sum; },
    wrapped: async () => { let sum = 0; for await (const value of asyncIterableInContext(generatedAsync(), context)) sum += value; return sum; },
  },
};

async function time(loop) {
  const start = performance.now();
  for (let round = 0; round < 300; round++) await loop();
  return performance.now() - start;
}

console.log(`for…of through closeInContext, for await through asyncIterableInContext: 300 loops of 1,000 steps, 9 rounds interleaved, ${new Date().toISOString()}`);
for (const [name, { asWritten, wrapped }] of Object.entries(loops)) {
  await time(asWritten);
  await time(wrapped);
  const ratios = [];
  for (let round = 0; round < 9; round++) {
    const plain = await time(asWritten);
    ratios.push((await time(wrapped)) / plain);
  }
  console.log(`${name.padEnd(28)} wrapped / as written: ${median(ratios).toFixed(3)}x (rounds ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`);
}
