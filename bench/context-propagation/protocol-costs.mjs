// bench/context-propagation/protocol-costs.mjs: what each part of the activation protocol costs,
// measured in one process (same-process ratios are far steadier on this machine than separate
// runs). The chain of 10 nested async functions is generated in variants that add one part at a
// time: a default parameter, an extra argument, try/finally, the context allocation (enter), the
// full slot protocol around each await, and the same protocol storing small integers instead of
// object references (which isolates the cost of storing young objects into the long-lived slot).
// Usage: node bench/context-propagation/protocol-costs.mjs
const slot = { current: undefined };
const ns = { slot };
class Ctx { constructor(frame, parent) { this.frame = frame; this.parent = parent; this.depth = parent ? parent.depth + 1 : 0; } }
const root = new Ctx(null, undefined);
function enter(frame, ctx) { return new Ctx(frame, ctx instanceof Ctx ? ctx : (slot.current ?? root)); }
const F = {};
// The runtime's context shape, reduced: a frame, a parent, a depth.
function make(kind) {
  const src = [];
  for (let level = 9; level >= 0; level--) {
    const call = level === 9 ? 'i' : `(await level${level + 1}(i${kind.pass ? ', c' : ''})) + 1`;
    const params = kind.defaultParam ? 'i, c = void 0' : kind.pass ? 'i, c' : 'i';
    let body = `return ${call};`;
    if (kind.enter) body = `c = enter(F, c); ${body}`;
    if (kind.smi) body = `c = enter(F, c); let o = ns.slot.current, a; ns.slot.current = 1; try { return ${level === 9 ? 'i' : `((a = level${level + 1}(i${kind.pass ? ', c' : ''}), ns.slot.current = o, a = await a, o = ns.slot.current, ns.slot.current = 2, a)) + 1`}; } finally { if (ns.slot.current === 2) ns.slot.current = o; }`;
    else if (kind.fewer) body = `c = enter(F, c); const o = ns.slot.current; ns.slot.current = c; try { return ${level === 9 ? 'i' : `((a => (ns.slot.current = o, a))(level${level + 1}(i, c)), await 0, 0) + 1`}; } finally { ns.slot.current = o; }`;
    else if (kind.slot) body = `c = enter(F, c); let o = ns.slot.current, a; ns.slot.current = c; try { return ${level === 9 ? 'i' : `((a = level${level + 1}(i${kind.pass ? ', c' : ''}), ns.slot.current = o, a = await a, o = ns.slot.current, ns.slot.current = c, a)) + 1`}; } finally { if (ns.slot.current === c) ns.slot.current = o; }`;
    else if (kind.tryFinally) body = `try { ${body} } finally { }`;
    src.push(`async function level${level}(${params}) { ${body} }`);
  }
  return new Function('enter', 'F', 'ns', `${src.join('\n')}\nreturn level0;`)(enter, F, ns);
}
const kinds = {
  plain: {},
  defaultParam: { defaultParam: true },
  passArg: { pass: true },
  tryFinally: { tryFinally: true },
  enterAlloc: { pass: true, enter: true },
  enterDefault: { defaultParam: true, pass: true, enter: true },
  full: { defaultParam: true, pass: true, slot: true },
  fullNoDefault: { pass: true, slot: true },
  smiSlot: { pass: true, smi: true },
};
const fns = Object.fromEntries(Object.entries(kinds).map(([name, kind]) => [name, make(kind)]));
async function run(fn, n) { let s = 0; for (let i = 0; i < n; i++) s += await fn(i); return s; }
for (const fn of Object.values(fns)) await run(fn, 50000);
const results = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
for (let round = 0; round < 7; round++) {
  for (const [name, fn] of Object.entries(fns)) { const t = performance.now(); await run(fn, 100000); results[name].push(performance.now() - t); }
}
const med = (a) => a.sort((x, y) => x - y)[3];
const base = med(results.plain);
for (const [name, samples] of Object.entries(results)) console.log(name.padEnd(14), med(samples).toFixed(0).padStart(6), 'ms', (med(samples) / base).toFixed(2) + 'x');
