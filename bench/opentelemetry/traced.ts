// A traced request: an active span, ten nested async functions awaiting each other, and a child
// span at the bottom that must find the request's span as its parent through the context manager.
import { trace } from '@opentelemetry/api';

const tracer = trace.getTracer('bench');

async function leaf(i: number): Promise<number> {
  const span = tracer.startSpan('leaf');
  span.end();
  return i;
}
async function level9(i: number): Promise<number> { return (await leaf(i)) + 1; }
async function level8(i: number): Promise<number> { return (await level9(i)) + 1; }
async function level7(i: number): Promise<number> { return (await level8(i)) + 1; }
async function level6(i: number): Promise<number> { return (await level7(i)) + 1; }
async function level5(i: number): Promise<number> { return (await level6(i)) + 1; }
async function level4(i: number): Promise<number> { return (await level5(i)) + 1; }
async function level3(i: number): Promise<number> { return (await level4(i)) + 1; }
async function level2(i: number): Promise<number> { return (await level3(i)) + 1; }
async function level1(i: number): Promise<number> { return (await level2(i)) + 1; }

export async function request(i: number): Promise<number> {
  return tracer.startActiveSpan('request', async (span) => {
    const result = await level1(i);
    span.end();
    return result;
  });
}
