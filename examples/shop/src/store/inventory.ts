import { log } from 'logmill';

const initialStock: [string, number][] = [
  ['book', 5],
  ['lamp', 1],
  ['desk', 0],
];
const stock = new Map<string, number>(initialStock);

/** Back to the initial stock (the live demo restocks now and then). */
export function restock(): void {
  for (const [item, count] of initialStock) stock.set(item, count);
}

export async function reserve(item: string): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 10));
  const available = stock.get(item) ?? 0;
  if (available === 0) {
    log.warn('out of stock: %s', item);
    return false;
  }
  stock.set(item, available - 1);
  return true;
}
