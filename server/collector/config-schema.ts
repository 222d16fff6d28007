/**
 * The collector's config file, as a JSON Schema checked by Ajv when the collector starts: a
 * mistyped setting (`"listen": 8080`), a negative limit or an unknown scrub action stops
 * `logmill serve` with every problem named by its path, instead of surfacing as odd behaviour later.
 */
import Ajv2020 from 'ajv/dist/2020.js';

const positiveInteger = { type: 'integer', minimum: 1 } as const;
const positiveNumber = { type: 'number', exclusiveMinimum: 0 } as const;
const text = { type: 'string', minLength: 1 } as const;
const texts = { type: 'array', items: text } as const;
const scrubAction = { enum: ['remove', 'mask', 'hash'] } as const;
const counts = { type: 'object', additionalProperties: positiveInteger } as const;

export const configFileSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'logmill serve --config',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    host: text,
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    data: text,
    store: text,
    project: text,
    salt: text,
    allowedOrigins: texts,
    keys: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ingest: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, required: ['key'], properties: { key: text, project: text, origins: texts } },
        },
        read: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['key'],
            properties: { key: text, project: text, access: { enum: ['untrusted', 'trusted', 'direct'] } },
          },
        },
        admin: texts,
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        bodyBytes: positiveInteger,
        eventsPerBatch: positiveInteger,
        eventBytes: positiveInteger,
        depth: positiveInteger,
        stringLength: positiveInteger,
        keys: positiveInteger,
        bodiesInFlightBytes: positiveInteger,
        requestSeconds: { type: 'number', exclusiveMinimum: 0 },
      },
    },
    scrub: {
      type: 'object',
      additionalProperties: false,
      properties: {
        sensitiveKeys: { type: 'boolean' },
        emails: { enum: ['remove', 'mask', 'hash', 'keep'] },
        creditCards: { enum: ['remove', 'mask', 'hash', 'keep'] },
        ipAddresses: { enum: ['truncate', 'remove', 'mask', 'hash', 'keep'] },
        phoneNumbers: { enum: ['remove', 'mask', 'hash', 'keep'] },
        tokens: { enum: ['remove', 'mask', 'hash', 'keep'] },
        salt: text,
        rules: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['action'],
            anyOf: [{ required: ['key'] }, { required: ['pattern'] }],
            properties: { key: text, pattern: text, action: scrubAction },
          },
        },
      },
    },
    privacy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        minimumUsers: {
          type: 'object',
          additionalProperties: false,
          properties: { names: counts, templates: counts, fields: counts },
        },
      },
    },
    retention: {
      type: 'object',
      additionalProperties: false,
      properties: { days: positiveNumber, names: { type: 'object', additionalProperties: positiveNumber } },
    },
  },
} as const;

// strictRequired would refuse the rule's anyOf (its branches name properties defined beside it).
const ajv = new Ajv2020.default({ allErrors: true, strict: true, strictRequired: false });
const validateConfigFile = ajv.compile(configFileSchema);

/** Every problem with a parsed config file, each as `/path message`; empty when it is valid. */
export function configFileProblems(config: unknown): string[] {
  if (!validateConfigFile(config)) {
    // The branches of a rule's anyOf each report a missing property; the anyOf itself says it once.
    return (validateConfigFile.errors ?? []).filter((error) => !error.schemaPath.includes('/anyOf/')).map((error) => {
      const where = error.instancePath || '(the file)';
      if (error.keyword === 'anyOf') return `${where} needs a key or a pattern`;
      if (error.keyword === 'additionalProperties') {
        return `${where} has an unknown setting "${String((error.params as { additionalProperty?: string }).additionalProperty)}"`;
      }
      if (error.keyword === 'enum') {
        return `${where} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((value) => JSON.stringify(value)).join(', ')}`;
      }
      return `${where} ${error.message ?? 'is invalid'}`;
    });
  }
  // Scrub rules are regular expressions: a rule that does not compile would fail every request.
  const rules = (config as { scrub?: { rules?: Array<{ key?: string; pattern?: string }> } }).scrub?.rules ?? [];
  const problems: string[] = [];
  rules.forEach((rule, index) => {
    for (const field of ['key', 'pattern'] as const) {
      const source = rule[field];
      if (source === undefined) continue;
      try {
        new RegExp(source);
      } catch (error) {
        problems.push(`/scrub/rules/${index}/${field} is not a regular expression: ${(error as Error).message}`);
      }
    }
  });
  return problems;
}
