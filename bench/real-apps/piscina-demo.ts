// Uploads resized on the instrumented piscina: the worker's task logs inside piscina's own
// (instrumented) message handler; the main thread's events keep each upload's user.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log, withContext } from 'logmill';
import { printEvents } from './print-events.js';

interface Pool { run(task: unknown): Promise<number>; close(): Promise<void> }
const projectDirectory = process.argv[2]!;
const { Piscina } = createRequire(join(projectDirectory, 'package.json'))(projectDirectory) as { Piscina: new (options: object) => Pool };

const worker = join(tmpdir(), `logmill-piscina-task-${process.pid}.cjs`);
writeFileSync(worker, `const { log } = require(${JSON.stringify(join(projectDirectory, 'node_modules/logmill'))});
require(${JSON.stringify(join(process.cwd(), 'print-events.js'))}).printEvents();
module.exports = ({ image }) => { log.info('resizing %s in a worker thread', image); return image.length * 1000; };
`);

printEvents();

async function resize(pool: Pool, image: string): Promise<number> {
  const bytes = await pool.run({ image });
  log.info('resized %s to %d bytes', image, bytes);
  return bytes;
}

async function handleUpload(pool: Pool, user: string, image: string): Promise<number> {
  return withContext({ user }, () => resize(pool, image));
}

const pool = new Piscina({ filename: worker, maxThreads: 2 });
await Promise.all([handleUpload(pool, 'ann', 'cat.png'), handleUpload(pool, 'bob', 'dog.png')]);
await pool.close();
