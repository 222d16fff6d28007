/**
 * Bad input to the setup and configuration calls gets a clear TypeError naming what the call
 * takes, and changes nothing; logging calls given nonsense still never throw.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  addSink,
  bindContext,
  configureContext,
  configureLogging,
  contextVariables,
  defineLogFunction,
  envelopeJson,
  experiment,
  httpSink,
  identify,
  log,
  memorySink,
  moduleFields,
  ndjsonSink,
  otlpExporter,
  prettySink,
  setSessionId,
  traced,
  withContext,
} from '../runtime/node.js';
import { browserSink } from '../runtime/delivery/browser-sink.js';
import { loggingState } from '../runtime/logging/configure.js';

afterEach(() => {
  configureLogging({ level: 'info', modules: {}, redact: {}, service: undefined });
});

// Calls made with what TypeScript would refuse: the shapes plain JavaScript callers send.
const untyped = <T>(value: unknown): T => value as T;

const refusals: Array<[string, () => unknown, RegExp]> = [
  ['withContext(null, fn)', () => withContext(untyped(null), () => 1), /withContext takes \(variables object, function\)/],
  ['withContext("user", fn)', () => withContext(untyped('user'), () => 1), /withContext/],
  ['withContext([], fn)', () => withContext(untyped([]), () => 1), /withContext/],
  ['withContext({}, 5)', () => withContext({}, untyped(5)), /withContext/],
  ['experiment(5, "B", fn)', () => experiment(untyped(5), 'B', () => 1), /experiment\(name, variant, fn\)/],
  ['experiment("checkout", "", fn)', () => experiment('checkout', '', () => 1), /experiment/],
  ['bindContext("handler")', () => bindContext(untyped<() => void>('handler')), /bindContext\(fn\) takes a function/],
  ['configureContext({ asyncLocalStorage: "sometimes" })', () => configureContext({ asyncLocalStorage: untyped('sometimes') }), /'auto', 'always' or 'never', not "sometimes"/],
  ['configureLogging(null)', () => configureLogging(untyped(null)), /configureLogging\(options\) takes an object/],
  ['configureLogging({ level: "loud" })', () => configureLogging({ level: untyped('loud') }), /unknown level "loud"/],
  ['configureLogging({ modules: "api" })', () => configureLogging({ modules: untyped('api') }), /modules maps module-name prefixes/],
  ['configureLogging({ modules: { api: "chatty" } })', () => configureLogging({ modules: { api: untyped('chatty') } }), /unknown level "chatty"/],
  ['configureLogging({ redact: { paths: [5] } })', () => configureLogging({ redact: { paths: untyped([5]) } }), /redact.paths is a list/],
  ['configureLogging({ redact: { sensitiveKeys: "pin" } })', () => configureLogging({ redact: { sensitiveKeys: untyped('pin') } }), /redact.sensitiveKeys is a list/],
  ['configureLogging({ service: "shop" })', () => configureLogging({ service: untyped('shop') }), /service is an object/],
  ['moduleFields(null, "m")', () => moduleFields(untyped(null), 'm'), /moduleFields\(fields\) takes an object/],
  ['addSink("console")', () => addSink(untyped('console')), /addSink\(write\) takes a function/],
  ['httpSink({})', () => httpSink(untyped({})), /httpSink's url \(the collector\) needs an http\(s\) URL, not undefined/],
  ['httpSink({ url: "collector" })', () => httpSink({ url: 'collector', key: 'k' }), /not "collector"/],
  ['httpSink({ url: "ftp://…" })', () => httpSink({ url: 'ftp://example.com', key: 'k' }), /http\(s\) URL/],
  ['otlpExporter({})', () => otlpExporter(untyped({})), /otlpExporter's url \(the logs endpoint\) needs an http\(s\) URL/],
  ['otlpExporter({ maxBatch: 0 })', () => otlpExporter({ url: 'http://127.0.0.1:9/v1/logs', maxBatch: 0 }), /maxBatch is a positive number, not 0/],
  ['ndjsonSink({ destination: {} })', () => ndjsonSink({ destination: untyped({}) }), /ndjsonSink\(\{ destination \}\) takes a file descriptor, a file path or a writable stream/],
  ['ndjsonSink({ destination: -1 })', () => ndjsonSink({ destination: -1 }), /ndjsonSink/],
  ['ndjsonSink({ minimumWrite: -5 })', () => ndjsonSink({ destination: 1, minimumWrite: -5 }), /minimumWrite is a positive number, not -5/],
  ['prettySink({ stack: "sometimes" })', () => prettySink({ stack: untyped('sometimes') }), /prettySink's stack is 'always', 'errors' or 'never', not "sometimes"/],
  ['prettySink({ write: "stdout" })', () => prettySink({ write: untyped('stdout') }), /prettySink's write is a function/],
  ['log(5)', () => defineLogFunction(untyped<() => void>(5)), /log\(fn\) takes a function/],
  ['traced({ level: "loud" })', () => traced({ level: untyped('loud') }), /traced\(\{ level \}\) takes one of trace, debug, info, warn, error, fatal, not "loud"/],
  ['@traced() on a field', () => traced()(untyped<() => void>(undefined), untyped<ClassMethodDecoratorContext>({ kind: 'field', name: 'total' })), /@traced\(\) decorates methods, not a field/],
  ['@traced() on a legacy property (experimentalDecorators)', () => traced()({}, 'total', untyped<TypedPropertyDescriptor<number>>(undefined)), /@traced\(\) decorates methods/],
  ['setSessionId({})', () => setSessionId(untyped({})), /setSessionId takes a session id/],
  ['httpSink without a key', () => httpSink(untyped({ url: 'http://127.0.0.1:9' })), /needs an ingest key .*and key is undefined \(is the environment variable that holds it set\?\)$/],
  ['httpSink with an empty key', () => httpSink(untyped({ url: 'http://127.0.0.1:9', key: '' })), /needs an ingest key .*and key is ""$/],
  ['httpSink({ spool: 7 })', () => httpSink({ url: 'http://127.0.0.1:9', key: 'k', spool: untyped(7) }), /spool is a directory/],
  ['httpSink({ timeout: -1 })', () => httpSink({ url: 'http://127.0.0.1:9', key: 'k', spool: false, timeout: -1 }), /timeout is a positive number, not -1/],
  ['browserSink({ url: "" })', () => browserSink({ url: '', key: 'k' }), /browserSink needs \{ url, key \}/],
  ['browserSink without a key', () => browserSink(untyped({ url: 'https://collector.example' })), /browserSink/],
  ['httpSink({ maxBatchEvents: 0 })', () => httpSink({ url: 'http://127.0.0.1:9', key: 'k', spool: false, maxBatchEvents: 0 }), /maxBatchEvents is a positive number, not 0/],
  ['configureLogging({ levle: "debug" })', () => configureLogging(untyped({ levle: 'debug' })), /^logmill: configureLogging has no option "levle" \(did you mean "level"\?\); its options are level, modules, redact, service$/],
  ['configureLogging({ service: { nmae } })', () => configureLogging({ service: untyped({ nmae: 'shop' }) }), /configureLogging\(\{ service \}\) has no option "nmae" \(did you mean "name"\?\)/],
  ['configureLogging({ redact: { path } })', () => configureLogging({ redact: untyped({ path: ['user.email'] }) }), /redact has no option "path" \(did you mean "paths"\?\)/],
  ['httpSink({ spoolDirectory })', () => httpSink(untyped({ url: 'http://127.0.0.1:9', key: 'k', spoolDirectory: '/tmp/x' })), /httpSink has no option "spoolDirectory"; its options are url, key, level, spool, /],
  ['httpSink({ flushIntreval })', () => httpSink(untyped({ url: 'http://127.0.0.1:9', key: 'k', flushIntreval: 10 })), /httpSink has no option "flushIntreval" \(did you mean "flushInterval"\?\)/],
  ['ndjsonSink({ minWrite })', () => ndjsonSink(untyped({ destination: 1, minWrite: 5 })), /ndjsonSink has no option "minWrite"/],
  ['ndjsonSink({ destination: "/nonexistent/x.log" })', () => ndjsonSink({ destination: '/nonexistent/x.log' }), /^logmill: ndjsonSink cannot open "\/nonexistent\/x.log" for appending: ENOENT/],
  ['ndjsonSink({ destination: a closed descriptor })', () => ndjsonSink({ destination: 987 }), /^logmill: ndjsonSink's destination 987 is not an open file descriptor$/],
  ['prettySink({ colours })', () => prettySink(untyped({ colours: false })), /prettySink has no option "colours" \(did you mean "colors"\?\)/],
  ['memorySink({ levle })', () => memorySink(untyped({ levle: 'warn' })), /memorySink has no option "levle" \(did you mean "level"\?\)/],
  ['otlpExporter({ header })', () => otlpExporter(untyped({ url: 'http://127.0.0.1:9/v1/logs', header: {} })), /otlpExporter has no option "header" \(did you mean "headers"\?\)/],
  ['httpSink({ flushInterval: NaN })', () => httpSink({ url: 'http://127.0.0.1:9', key: 'k', spool: false, flushInterval: Number.NaN }), /flushInterval is a positive number, not NaN/],
];

describe('setup and configuration calls', () => {
  it.each(refusals)('%s: a TypeError saying what the call takes', (_, call, message) => {
    let thrown: unknown;
    try {
      call();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toMatch(/^logmill: /);
    expect((thrown as Error).message).toMatch(message);
  });

  it('a refused configuration changes nothing, even the parts of it that were valid', () => {
    configureLogging({ level: 'warn' });
    const before = { threshold: loggingState.threshold, redactor: loggingState.redactor, modules: loggingState.modules };
    expect(() => configureLogging({ level: 'debug', modules: { api: 'trace' }, redact: { paths: untyped([5]) } })).toThrow(TypeError);
    expect({ threshold: loggingState.threshold, redactor: loggingState.redactor, modules: loggingState.modules }).toEqual(before);
    expect(loggingState.redactor).toBe(before.redactor);
  });

  it('treats sensitive keys as names, not patterns', () => {
    configureLogging({ redact: { sensitiveKeys: ['pin(code)', 'x.y', 'api_key'] } });
    const sink = memorySink();
    log.with({ 'pin(code)': '1234', xzy: 'kept', 'x.y': 'hidden', 'API-KEY': 'k', pincode: 'kept too' }).info('login');
    sink.close();
    const line = JSON.parse(envelopeJson(sink.events[0]!)) as { attributes: Record<string, unknown> };
    expect(line.attributes).toEqual({ 'pin(code)': '[Filtered]', xzy: 'kept', 'x.y': '[Filtered]', 'API-KEY': '[Filtered]', pincode: 'kept too' });
  });
});

describe('logging calls', () => {
  it('identify with no usable id identifies nobody and never throws', () => {
    const seen = withContext({ requestId: 'r1' }, () => {
      for (const id of [undefined, null, '', {}, ['a']]) identify(untyped(id));
      return contextVariables();
    });
    expect(seen).toEqual({ requestId: 'r1' });
    expect(withContext({}, () => {
      identify(untyped(42));
      return contextVariables()['userId'];
    })).toBe('42');
  });

  it('log calls given anything still log and never throw', () => {
    const sink = memorySink();
    expect(() => log.info(untyped(undefined))).not.toThrow();
    expect(() => log.warn(untyped({ a: 1 }), Symbol('s'))).not.toThrow();
    sink.close();
    // An object first is pino's attributes: here with no message after it.
    expect(sink.events.map((event) => [event.template, event.attributes])).toEqual([['undefined', {}], ['', { a: 1 }]]);
  });
});
