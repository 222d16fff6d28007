// Clicks and timers interleaving async work: each handler's awaits must keep seeing its own click.
// The same code runs under Logmill and under zone.js; only how a click's context is set and read
// differs (scenario-logmill.ts, scenario-zone.ts).

/** How a handler runs in its click's context, and how code below it reads the click back. */
export interface ClickContext {
  run<T>(click: number, handler: () => T): T;
  read(): unknown;
}

async function pause(context: ClickContext, ms: number): Promise<unknown> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  await Promise.resolve();
  return context.read();
}

async function onClick(context: ClickContext, click: number): Promise<boolean> {
  const first = await pause(context, click % 3);
  const second = await pause(context, 2);
  return first === click && second === click;
}

/** Dispatches `clicks` clicks on timers; resolves with how many handlers saw only their own click. */
export function runClicks(clicks: number, context: ClickContext): Promise<number> {
  const button = document.createElement('button');
  const results: Promise<boolean>[] = [];
  let next = 0;
  button.addEventListener('click', () => {
    const click = next++;
    results.push(context.run(click, () => onClick(context, click)));
  });
  return new Promise((resolve) => {
    for (let index = 0; index < clicks; index++) setTimeout(() => button.click(), index % 4);
    setTimeout(() => void Promise.all(results).then((seen) => resolve(seen.filter(Boolean).length)), 10);
  });
}
