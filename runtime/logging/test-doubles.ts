/**
 * Test doubles for level methods, on Node, where tests run. `vi.spyOn(logger, 'info')`,
 * `jest.spyOn` and `sinon.stub(Logger.prototype, 'warn')` replace a level method, but the
 * transformer turns `logger.info(…)` into `logger.__logmillAt(site, context, …)`, which would never
 * reach the replacement. Here a stamped call first checks whether the method its level names is
 * still the class's own, and when it is not (a double, or a subclass's override), calls it with the
 * arguments as written, as the plain build does; what that method logs carries no call site. The
 * browser runtime, whose bytes are counted, leaves this out.
 */
import type { LogmillContext } from '../context.js';
import { severityNumbers } from './levels.js';
import { Logger, type StampedSite } from './logger.js';
import { ModuleLogger } from './module-logger.js';

type Level = (template: string, ...args: unknown[]) => void;
type Stamped = (this: Logger, stamped: StampedSite | number, context: LogmillContext | undefined, template: unknown, ...args: unknown[]) => void;

function passReplacedLevels(prototype: Logger): void {
  const stamped = prototype.__logmillAt as Stamped;
  const { trace, debug, info, warn, error, fatal } = prototype;
  prototype.__logmillAt = function (this: Logger, site: StampedSite | number, context: LogmillContext | undefined, template: unknown, ...args: unknown[]): void {
    // Named property reads, one per level: the check costs a load and a comparison per call.
    let method: Level | undefined;
    switch (typeof site === 'number' ? site : site.severityNumber) {
      case severityNumbers.trace: method = this.trace === trace ? undefined : this.trace; break;
      case severityNumbers.debug: method = this.debug === debug ? undefined : this.debug; break;
      case severityNumbers.info: method = this.info === info ? undefined : this.info; break;
      case severityNumbers.warn: method = this.warn === warn ? undefined : this.warn; break;
      case severityNumbers.error: method = this.error === error ? undefined : this.error; break;
      case severityNumbers.fatal: method = this.fatal === fatal ? undefined : this.fatal; break;
    }
    if (method === undefined) return stamped.call(this, site, context, template, ...args);
    return method.call(this, template as string, ...args);
  } as Logger['__logmillAt'];
}

passReplacedLevels(Logger.prototype);
passReplacedLevels(ModuleLogger.prototype);
