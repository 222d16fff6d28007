/**
 * Differential programs for iterating what cannot be iterated, where the instrumented build steps
 * the iterator through the runtime (runtime/iterate-in.ts): `for await` over `null`/`undefined`,
 * `yield*` of one, and an iterator without a callable `next` in a loop whose body suspends. The
 * engine's own message must come through; only the error's class and message are printed.
 */

const settleHelper = `
const settle = (promise: Promise<unknown>) => promise.then((value) => ['ok', value], (error) => [error.constructor.name, error.message]);
`;

export const iterationErrorPrograms: Record<string, string> = {
  'for-await-over-nullish': `${settleHelper}
export async function run(print) {
  const missing: any = undefined;
  const empty: any = null;
  print(await settle((async () => { for await (const value of missing) print(value); })()));
  print(await settle((async () => { await null; for await (const value of empty) print(value); })()));
}`,
  'yield-star-of-nullish': `${settleHelper}
async function* delegate(source: any) { yield* source; }
export async function run(print) {
  for (const source of [undefined, null]) {
    print(await settle((async () => { for await (const value of delegate(source)) print(value); })()));
  }
}`,
  'iterator-without-next': `${settleHelper}
export async function run(print) {
  const nextless: any = { [Symbol.iterator]() { return { next: undefined }; } };
  const numberNext: any = { [Symbol.iterator]() { return { next: 5 }; } };
  print(await settle((async () => { for (const value of nextless) { await value; } })()));
  print(await settle((async () => { for (const value of numberNext) { await value; } })()));
}`,
};
