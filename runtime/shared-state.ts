/**
 * State that every copy of the runtime in one realm shares: an app can load Logmill twice (two
 * bundles on a page, the ESM and CommonJS builds in one process), and contexts, sinks and settings
 * must still be one. The state lives on `globalThis` under a registered symbol; the first copy to
 * load creates it. `name` carries a version, bumped when the state's shape changes incompatibly.
 */
export function sharedState<State>(name: string, create: () => State): State {
  const scope = globalThis as unknown as Record<symbol, State | undefined>;
  return (scope[Symbol.for(`logmill.${name}`)] ??= create());
}
