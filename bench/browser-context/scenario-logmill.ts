// Clicks and timers interleaving async work: each handler's awaits must keep seeing its own click.
import { contextVariables, withContext } from 'logmill';

async function pause(ms: number): Promise<unknown> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  await Promise.resolve();
  return contextVariables()['click'];
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
    results.push(withContext({ click }, () => onClick(click)));
  });
  return new Promise((resolve) => {
    for (let index = 0; index < clicks; index++) setTimeout(() => button.click(), index % 4);
    setTimeout(() => void Promise.all(results).then((seen) => resolve(seen.filter(Boolean).length)), 10);
  });
}
