/**
 * Validation against the published envelope schema (`logmill/schema/event.schema.json`), compiled
 * once by Ajv into a plain function.
 */
import { createRequire } from 'node:module';
import Ajv2020 from 'ajv/dist/2020.js';
import type { EventProblem } from './limits.js';

const require = createRequire(import.meta.url);
const schema = require('logmill/schema/event.schema.json') as object;
const ajv = new Ajv2020.default({ allErrors: false, strict: false });
const validateEnvelope = ajv.compile(schema);

/** The first way `event` breaks the envelope schema, or undefined. */
export function checkSchema(event: unknown): EventProblem | undefined {
  if (validateEnvelope(event)) return undefined;
  const error = validateEnvelope.errors?.[0];
  if (error === undefined) return { reason: 'schema', message: 'the event does not match the schema', path: '' };
  let detail = error.message ?? 'is invalid';
  if (error.keyword === 'additionalProperties') detail = `has an unknown field "${String((error.params as { additionalProperty?: string }).additionalProperty)}"`;
  if (error.keyword === 'enum') detail = `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((value) => JSON.stringify(value)).join(', ')}`;
  return { reason: 'schema', message: `${error.instancePath || 'the event'} ${detail}`, path: error.instancePath };
}
