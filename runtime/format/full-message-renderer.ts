/**
 * Installs Python-exact `%`-formatting as the message renderer (a side effect, on import). Every
 * entry but the browser's imports it; a page that wants exact messages locally imports
 * `logmill/format` (see docs/browsers.md). Messages are rendered from the args as the serializers
 * scrub them, so a value filtered out of `args` never reaches `message`.
 */
import { loggingState } from '../logging/configure.js';
import { redactArgs } from '../logging/redact-args.js';
import { compiledAtRunTime, renderTemplate } from './compile-template.js';
import { formatPercentDetailed, isMapping } from './format-percent.js';
import { installMessageRenderer } from './message-renderer.js';

installMessageRenderer((template, args, compiled) => {
  const scrubbed = redactArgs(args, loggingState.redactor);
  const operand = scrubbed.length === 1 && isMapping(scrubbed[0]) ? scrubbed[0] : scrubbed;
  // The site's template was parsed at build time; others are parsed once per distinct template.
  const parsed = compiled ?? compiledAtRunTime(template);
  return parsed === undefined ? formatPercentDetailed(template, operand) : renderTemplate(parsed, template, operand);
});
