// A small browser app that logs and ships its events: what a page pays for Logmill.
import { browserSink, log, withContext } from 'logmill';

browserSink({ url: 'https://collector.example', key: 'lm_ingest_example' });

async function loadCart(id: string): Promise<number> {
  const response = await fetch(`/cart/${id}`);
  log.info('cart %s loaded', id);
  return response.status;
}

export async function main(): Promise<void> {
  await withContext({ page: 'cart' }, () => loadCart('c1'));
}
