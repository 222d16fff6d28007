/**
 * One guarded question's view of the store, each distinct read made once: the guard asks some
 * statistics more than once in one question (the groups as asked, and again as the candidates of
 * the `*` row; a condition turned around, for the groups and again for the merged rows), and
 * within one question they are the same rows. Every other method goes to the store as it is.
 */
import type { Store } from '../store/store.js';

type Statistics = ReturnType<Store['groupStatistics']>;

export function readsOnce(store: Store): Store {
  const statistics = new Map<string, Statistics>();
  const queries = new Map<string, ReturnType<Store['runQuery']>>();
  const groupStatistics: Store['groupStatistics'] = (project, query, entity, options = {}) => {
    const key = JSON.stringify([project, query, entity, options.onlyGroups ?? null, options.keep ?? null, options.facts === true]);
    let rows = statistics.get(key);
    if (rows === undefined) statistics.set(key, (rows = store.groupStatistics(project, query, entity, options)));
    return rows;
  };
  const runQuery: Store['runQuery'] = (project, query) => {
    const key = JSON.stringify([project, query]);
    let rows = queries.get(key);
    if (rows === undefined) queries.set(key, (rows = store.runQuery(project, query)));
    return rows;
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === 'groupStatistics') return groupStatistics;
      if (property === 'runQuery') return runQuery;
      const value: unknown = Reflect.get(target, property, target);
      // Methods run on the store itself (its private fields are not on the proxy).
      return typeof value === 'function' ? (value as (...parameters: unknown[]) => unknown).bind(target) : value;
    },
  });
}
