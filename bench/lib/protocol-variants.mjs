// The chain of bench/context-propagation as the transformer emits it, and variants of that module's
// text that drop one part of the activation protocol at a time: the slot writes around awaits,
// those at returns, the error-noting catch, the per-activation slot, down to the floor of entering
// a context and passing it on. The Node and Chromium protocol-cost benchmarks time the same
// variants. They are measurements, not correct programs: only `emitted` keeps the context right.
const handBack = /__logmillSlot\.current = __logmillOuter, __logmillAwaited = await __logmillAwaited, __logmillOuter = __logmillSlot\.current, __logmillSlot\.current = __logmillContext,/g;
const returnHandBack = /, __logmillSlot\.current = __logmillOuter, __logmillAwaited(\)?);/g;
const errorCatch = /catch \(__logmillError\) \{[\s\S]*?throw __logmill\.thrown\(__logmillError, __logmillContext\);\s*\}/g;
const entrySlot = /const __logmillSlot = __logmill\.slot;\s*let __logmillOuter = __logmillSlot\.current(, __logmillAwaited)?;\s*__logmillSlot\.current = __logmillContext;/g;
const entering = /__logmillContext = __logmill\.enter\((__logmillFrame\d+), __logmillContext, void 0\);/g;

const withoutCatch = (code) => code.replace(errorCatch, '').replace(/try \{/g, '{');
const withoutHandBacks = (code) => code.replace(handBack, '__logmillAwaited = await __logmillAwaited,').replace(returnHandBack, ', __logmillAwaited$1;');

/** `emitted` (the compiled chain module's text) and its variants, by name, each checked to differ. */
export function protocolVariants(emitted) {
  const enterAndPass = withoutCatch(withoutHandBacks(emitted)).replace(entrySlot, 'let __logmillAwaited;');
  const variants = {
    emitted,
    'no hand-back at awaits': emitted.replace(handBack, '__logmillAwaited = await __logmillAwaited,'),
    'no hand-back at returns': emitted.replace(returnHandBack, ', __logmillAwaited$1;'),
    'no catch': withoutCatch(emitted),
    'slot from the module binding': emitted.replace(/const __logmillSlot = __logmill\.slot;/g, '').replace(/__logmillSlot\./g, '__logmill.slot.'),
    // One constant per module instead of a local per activation: one register fewer kept across each await.
    'slot from a module constant': emitted.replace(/const __logmillSlot = __logmill\.slot;/g, '').replace(/^(import \* as __logmill from .*;)$/m, '$1\nconst __logmillSlot = __logmill.slot;'),
    'enter and pass only': enterAndPass,
    // The cached child looked up in the function itself, with no call: the least a frame can cost.
    'enter inline and pass only': enterAndPass.replace(
      entering,
      'let __logmillChild; __logmillContext = __logmillContext instanceof __logmill.slot.Context && (__logmillChild = __logmillContext.lastChild) !== undefined && __logmillChild.frame === $1 ? __logmillChild : __logmill.enter($1, __logmillContext, void 0);',
    ),
    // No frames at all: the caller's context handed down unchanged (what `stack: false` could cost at best).
    'pass only, no frames': enterAndPass.replace(entering, '__logmillContext ??= __logmill.enter($1, void 0, void 0);'),
  };
  for (const [name, code] of Object.entries(variants)) {
    if (name !== 'emitted' && code === emitted) throw new Error(`variant "${name}" did not change the emitted code`);
  }
  return variants;
}
