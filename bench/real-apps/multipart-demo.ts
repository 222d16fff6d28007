// Uploads through the instrumented @fastify/multipart: the handler walks the plugin's async
// generator of parts (instrumented, like its hooks), and each request's events keep its request id
// and its logical stack down through the plugin's own functions.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { log, withContext } from 'logmill';
import { printEvents } from './print-events.js';

interface Part { fieldname: string; filename?: string; file?: AsyncIterable<Buffer>; value?: unknown }
interface Request { id: string; parts(): AsyncIterable<Part> }
interface App {
  register(plugin: unknown): void;
  post(path: string, handler: (request: Request) => Promise<unknown>): void;
  inject(options: { method: string; url: string; payload: unknown; headers: Record<string, string> }): Promise<{ statusCode: number; body: string }>;
  close(): Promise<void>;
}
interface Form { append(name: string, value: string | Buffer, options?: { filename: string }): void; getHeaders(): Record<string, string> }

const projectDirectory = process.argv[2]!;
const requireProject = createRequire(join(projectDirectory, 'package.json'));
const fastify = requireProject('fastify') as () => App;
const multipart = requireProject(projectDirectory) as unknown;
const FormData = requireProject('form-data') as new () => Form;

printEvents();

async function store(part: Part): Promise<number> {
  let bytes = 0;
  for await (const chunk of part.file!) bytes += chunk.length;
  log.info('stored %s (%d bytes)', part.filename, bytes);
  return bytes;
}

const app = fastify();
app.register(multipart);
app.post('/upload', async function upload(request) {
  return withContext({ requestId: request.id }, async () => {
    let total = 0;
    for await (const part of request.parts()) {
      if (part.file !== undefined) total += await store(part);
      else log.info('field %s', part.fieldname);
    }
    return { total };
  });
});

async function send(name: string): Promise<number> {
  const form = new FormData();
  form.append('owner', name);
  form.append('upload', Buffer.alloc(2048, name), { filename: `${name}.bin` });
  const response = await app.inject({ method: 'POST', url: '/upload', payload: form, headers: form.getHeaders() });
  return response.statusCode;
}

await Promise.all([send('ann'), send('bob')]);
await app.close();
