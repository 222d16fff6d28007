// The click scenario under zone.js: each handler runs in a forked zone carrying its click.
import { runClicks } from './scenario.js';

declare const Zone: { current: { get(key: string): unknown; fork(spec: { name: string; properties: Record<string, unknown> }): { run<T>(fn: () => T): T } } };

export function runScenario(clicks: number): Promise<number> {
  return runClicks(clicks, {
    run: (click, handler) => Zone.current.fork({ name: `click ${click}`, properties: { click } }).run(handler),
    read: () => Zone.current.get('click'),
  });
}
