// One logger in its own process: warm up, then time `iterations` calls, including the final flush.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [library, iterationsText, level, programPath] = process.argv.slice(2);
const iterations = Number(iterationsText);
const require = createRequire(import.meta.url);
const attributes = { service: 'checkout', region: 'eu-west-1', shard: 3 };

async function pinoRun(count) {
  const pino = require('pino');
  const destination = pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 });
  const child = pino({ level: 'info' }, destination).child(attributes);
  const start = process.hrtime.bigint();
  if (level === 'info') for (let i = 0; i < count; i++) child.info('request %s handled', i);
  else for (let i = 0; i < count; i++) child.debug('request %s handled', i);
  await new Promise((resolve) => destination.flush(resolve));
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function winstonRun(count) {
  const winston = require('winston');
  const { format } = winston;
  const logger = winston.createLogger({
    level: 'info',
    format: format.combine(format.splat(), format.timestamp(), format.json()),
    transports: [new winston.transports.File({ filename: '/dev/null' })],
  });
  const child = logger.child(attributes);
  const start = process.hrtime.bigint();
  if (level === 'info') for (let i = 0; i < count; i++) child.info('request %s handled', i);
  else for (let i = 0; i < count; i++) child.debug('request %s handled', i);
  await new Promise((resolve) => { logger.on('finish', resolve); logger.end(); });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function logtapeRun(count) {
  const { configure, getLogger, getStreamSink, jsonLinesFormatter, reset } = await import('@logtape/logtape');
  const { createWriteStream } = await import('node:fs');
  const { Writable } = await import('node:stream');
  const file = createWriteStream('/dev/null');
  await configure({
    reset: true,
    sinks: { file: getStreamSink(Writable.toWeb(file), { formatter: jsonLinesFormatter }) },
    loggers: [{ category: 'bench', lowestLevel: 'info', sinks: ['file'] }, { category: ['logtape', 'meta'], lowestLevel: 'warning', sinks: [] }],
  });
  const child = getLogger('bench').with(attributes);
  const start = process.hrtime.bigint();
  if (level === 'info') for (let i = 0; i < count; i++) child.info('request {i} handled', { i });
  else for (let i = 0; i < count; i++) child.debug('request {i} handled', { i });
  await reset();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function logmillRun(count) {
  const program = await import(pathToFileURL(programPath).href);
  const start = process.hrtime.bigint();
  const finish = await program.run(count, level);
  await finish();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const runners = { pino: pinoRun, winston: winstonRun, logtape: logtapeRun, logmill: logmillRun };
const runner = runners[library];
// winston's file transport cannot be reopened in one process; it runs without a warm-up pass.
if (library !== 'winston') await runner(Math.min(50_000, iterations));
const ms = await runner(iterations);
process.stdout.write(`${JSON.stringify({ ms })}\n`);
