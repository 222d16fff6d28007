// The load generator of the real-server benchmark, in its own process: CONNECTIONS keep-alive
// connections, each sending its next GET as soon as the previous answer arrived, for SECONDS.
import { Agent, request } from 'node:http';

const [port, seconds, connections] = process.argv.slice(2).map(Number);
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const deadline = Date.now() + seconds * 1000;
let completed = 0;
let failed = 0;

function get(path) {
  return new Promise((resolve) => {
    const outgoing = request({ host: '127.0.0.1', port, path, agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 200));
    });
    outgoing.on('error', () => resolve(false));
    outgoing.end();
  });
}

async function connection(index) {
  for (let n = 0; Date.now() < deadline; n++) {
    if (await get(`/orders/${index}-${n % 100}`)) completed++;
    else failed++;
  }
}

await Promise.all(Array.from({ length: connections }, (_, index) => connection(index)));
agent.destroy();
process.stdout.write(`${JSON.stringify({ completed, failed })}\n`);
