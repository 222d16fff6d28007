// Runs a random plan of concurrent tasks and checks, at every step, that the code sees its own task.
// Compiled with the transformer by test/property/concurrency.test.ts; the plan arrives on argv.
import { contextVariables, logicalStack, withContext } from 'logmill';

export type Step =
  | { kind: 'await-null' }
  | { kind: 'timer'; ms: number }
  | { kind: 'immediate' }
  | { kind: 'tick' }
  | { kind: 'nested'; steps: Step[] }
  | { kind: 'all'; branches: Step[][] }
  | { kind: 'callback'; ms: number }
  | { kind: 'generator'; count: number }
  | { kind: 'throw' }
  | { kind: 'shadow'; steps: Step[] };

let checks = 0;
const mismatches: string[] = [];

function check(task: string, where: string): void {
  checks++;
  const seen = contextVariables()['task'];
  const stack = logicalStack();
  if (seen !== task || stack[stack.length - 2]?.function !== 'runTask') {
    mismatches.push(`${where}: expected ${task}, saw ${String(seen)} with stack ${stack.map((f) => f.function).join('<')}`);
  }
}

async function* counter(task: string, count: number): AsyncGenerator<number> {
  for (let index = 0; index < count; index++) {
    check(task, 'generator');
    await null;
    yield index;
  }
}

async function failing(task: string): Promise<never> {
  check(task, 'failing');
  await new Promise((resolve) => setImmediate(resolve));
  throw new Error(task);
}

async function runSteps(task: string, steps: Step[]): Promise<void> {
  for (const step of steps) {
    check(task, `before ${step.kind}`);
    switch (step.kind) {
      case 'await-null':
        await null;
        break;
      case 'timer':
        await new Promise((resolve) => setTimeout(resolve, step.ms));
        break;
      case 'immediate':
        await new Promise((resolve) => setImmediate(resolve));
        break;
      case 'tick':
        await new Promise((resolve) => process.nextTick(resolve));
        break;
      case 'nested':
        await runSteps(task, step.steps);
        break;
      case 'all':
        await Promise.all(step.branches.map((branch) => runSteps(task, branch)));
        break;
      case 'callback':
        await new Promise<void>((resolve) =>
          setTimeout(() => {
            check(task, 'callback');
            resolve();
          }, step.ms),
        );
        break;
      case 'generator':
        for await (const _value of counter(task, step.count)) check(task, 'for-await body');
        break;
      case 'throw':
        try {
          await failing(task);
        } catch {
          check(task, 'catch');
        }
        break;
      case 'shadow':
        await withContext({ shadowed: true }, () => runSteps(task, step.steps));
        break;
    }
    check(task, `after ${step.kind}`);
  }
}

async function runTask(task: string, steps: Step[]): Promise<void> {
  await runSteps(task, steps);
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2]!) as Step[][];
  await Promise.all(plan.map((steps, index) => withContext({ task: `t${index}` }, () => runTask(`t${index}`, steps))));
  console.log(JSON.stringify({ tasks: plan.length, checks, mismatches: mismatches.slice(0, 5), mismatchCount: mismatches.length }));
}

void main();
