// The click scenario under Logmill: each handler runs with a `click` context variable.
import { contextVariables, withContext } from 'logmill';
import { runClicks } from './scenario.js';

export function runScenario(clicks: number): Promise<number> {
  return runClicks(clicks, { run: (click, handler) => withContext({ click }, handler), read: () => contextVariables()['click'] });
}
