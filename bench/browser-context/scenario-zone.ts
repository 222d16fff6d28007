// The same clicks and timers under zone.js: each handler runs in a forked zone carrying its click.
declare const Zone: { current: { get(key: string): unknown; fork(spec: { name: string; properties: Record<string, unknown> }): { run<T>(fn: () => T): T } } };

async function pause(ms: number): Promise<unknown> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  await Promise.resolve();
  return Zone.current.get('click');
}

async function onClick(click: number): Promise<boolean> {
  const first = await pause(click % 3);
  const second = await pause(2);
  return first === click && second === click;
}

/** Dispatches `clicks` clicks on timers; resolves with how many handlers saw only their own click. */
export function runScenario(clicks: number): Promise<number> {
  const button = document.createElement('button');
  const results: Promise<boolean>[] = [];
  let next = 0;
  button.addEventListener('click', () => {
    const click = next++;
    results.push(Zone.current.fork({ name: `click ${click}`, properties: { click } }).run(() => onClick(click)));
  });
  return new Promise((resolve) => {
    for (let index = 0; index < clicks; index++) setTimeout(() => button.click(), index % 4);
    setTimeout(() => void Promise.all(results).then((seen) => resolve(seen.filter(Boolean).length)), 10);
  });
}
