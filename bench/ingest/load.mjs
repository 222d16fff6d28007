// The load generator for bench/ingest, in its own process: sends NDJSON batches of 100 copies of
// one realistic event, each with a fresh UUIDv7, to the collector over keep-alive connections,
// either as fast as N connections allow (`max N`), or at a fixed rate of N batches per second
// (`rate N`, open loop: latency includes any queueing), and prints the acknowledged events per
// second and the latency percentiles as JSON.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

const [url, key, mode, value, seconds, baseFile] = process.argv.slice(2);
const base = readFileSync(baseFile, 'utf8');
const baseId = JSON.parse(base).id;
const [before, after] = [base.slice(0, base.indexOf(baseId)), base.slice(base.indexOf(baseId) + baseId.length)];
let sequence = 0;
function uniqueId() {
  const time = Date.now().toString(16).padStart(12, '0');
  const counter = (sequence++).toString(16).padStart(15, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${counter.slice(0, 3)}-8${counter.slice(3, 6)}-${counter.slice(6, 15)}${process.pid.toString(16).padStart(3, '0').slice(-3)}`;
}
function makeBatch() {
  let body = '';
  for (let index = 0; index < 100; index++) body += `${before}${uniqueId()}${after}\n`;
  return body;
}
const target = new URL('/v1/events', url);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const latencies = [];
let acknowledged = 0;
let failed = 0;
let next = 0;

function send(body) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request(target, { method: 'POST', agent, headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${key}`, 'content-length': Buffer.byteLength(body) } }, (response) => {
      response.resume();
      response.on('end', () => {
        latencies.push(performance.now() - started);
        if (response.statusCode === 200) acknowledged += 100;
        else failed++;
        resolve();
      });
    });
    req.on('error', () => {
      failed++;
      resolve();
    });
    req.end(body);
  });
}

const duration = Number(seconds) * 1000;
const began = performance.now();
if (mode === 'max') {
  const worker = async () => {
    while (performance.now() - began < duration) {
      next++;
      await send(makeBatch());
    }
  };
  await Promise.all(Array.from({ length: Number(value) }, worker));
} else {
  const interval = 1000 / Number(value);
  const inFlight = [];
  for (let index = 0; performance.now() - began < duration; index++) {
    const due = began + index * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    next++;
    inFlight.push(send(makeBatch()));
  }
  await Promise.all(inFlight);
}
const elapsed = (performance.now() - began) / 1000;
latencies.sort((a, b) => a - b);
const percentile = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
process.stdout.write(`${JSON.stringify({ eventsPerSecond: acknowledged / elapsed, acknowledged, failed, p50: percentile(50), p99: percentile(99), batches: next, elapsed })}\n`);
agent.destroy();
