// The floor collector for bench/ingest: the least any durable NDJSON collector does with the same
// requests. Fastify receives the body, each line is JSON.parse'd (a line that does not parse
// fails the request), the raw lines are appended to one file, and one fdatasync covers every
// request that arrived while the previous one ran (group commit); each request is answered after
// the sync that carried its lines. No auth, schema, scrubbing, dedup or database.
// Usage: node bench/ingest/floor.mjs DIRECTORY  (prints "listening on URL")
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify from 'fastify';

const file = await open(join(process.argv[2], 'floor.ndjson'), 'a', 0o600);
let waiting = [];
let running = false;

async function drain() {
  running = true;
  while (waiting.length > 0) {
    const group = waiting;
    waiting = [];
    try {
      await file.writev(group.map((entry) => entry.body));
      await file.datasync();
      for (const entry of group) entry.resolve();
    } catch (error) {
      for (const entry of group) entry.reject(error);
    }
  }
  running = false;
}

function append(body) {
  return new Promise((resolve, reject) => {
    waiting.push({ body, resolve, reject });
    if (!running) void drain();
  });
}

const app = Fastify({ bodyLimit: 5 * 1024 * 1024 });
app.addContentTypeParser(['application/x-ndjson', 'application/json'], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
app.post('/v1/events', async (request, reply) => {
  const body = request.body;
  const text = body.toString('utf8');
  let accepted = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start) {
      JSON.parse(text.slice(start, end));
      accepted++;
    }
    start = end + 1;
  }
  await append(body[body.length - 1] === 0x0a ? body : Buffer.concat([body, Buffer.from('\n')]));
  return reply.send({ accepted, rejected: [] });
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening on ${address}\n`);
process.on('SIGTERM', () => void app.close().then(() => file.close()).then(() => process.exit(0)));
