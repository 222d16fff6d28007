/**
 * Installs Python-exact `%`-formatting as the message renderer (a side effect, on import). Every
 * entry but the browser's imports it; a page that wants exact messages locally imports
 * `logmill/format` (see docs/browsers.md).
 */
import { compiledAtRunTime, renderTemplate } from './compile-template.js';
import { formatPercentDetailed, isMapping } from './format-percent.js';
import { installMessageRenderer } from './message-renderer.js';

installMessageRenderer((template, args, compiled) => {
  const operand = args.length === 1 && isMapping(args[0]) ? args[0] : args;
  // The site's template was parsed at build time; others are parsed once per distinct template.
  const parsed = compiled ?? compiledAtRunTime(template);
  return parsed === undefined ? formatPercentDetailed(template, operand) : renderTemplate(parsed, template, operand);
});
