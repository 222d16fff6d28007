// The load generator for bench/ingest, in its own process: sends pre-built NDJSON batches to the
// collector over keep-alive connections, either as fast as CONCURRENCY connections allow, or at a
// fixed RATE of batches per second (open loop: latency includes any queueing), and prints the
// acknowledged events per second and the latency percentiles as JSON.
import { Agent, request } from 'node:http';

const [url, key, mode, value, seconds, batchFile] = process.argv.slice(2);
const { readFileSync } = await import('node:fs');
const batches = JSON.parse(readFileSync(batchFile, 'utf8'));
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
    while (performance.now() - began < duration && next < batches.length) await send(batches[next++]);
  };
  await Promise.all(Array.from({ length: Number(value) }, worker));
} else {
  const interval = 1000 / Number(value);
  const inFlight = [];
  for (let index = 0; performance.now() - began < duration && next < batches.length; index++) {
    const due = began + index * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(send(batches[next++]));
  }
  await Promise.all(inFlight);
}
const elapsed = (performance.now() - began) / 1000;
latencies.sort((a, b) => a - b);
const percentile = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
process.stdout.write(`${JSON.stringify({ eventsPerSecond: acknowledged / elapsed, acknowledged, failed, p50: percentile(50), p99: percentile(99), batches: next, elapsed })}\n`);
agent.destroy();
