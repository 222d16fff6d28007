// A small browser app whose async code is instrumented but never logs (context only).
import { contextVariables, withContext } from 'logmill';

async function loadCart(id: string): Promise<unknown> {
  const response = await fetch(`/cart/${id}`);
  return [response.status, contextVariables()['page']];
}

export async function main(): Promise<void> {
  await withContext({ page: 'cart' }, () => loadCart('c1'));
}
