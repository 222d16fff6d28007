import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestJournal } from '../store/ingest-journal.js';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('ingest journal', () => {
  it('writes every line of concurrent groups byte for byte, multi-byte text and lines beyond its buffer included', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'logmill-journal-'));
    directories.push(directory);
    const journal = new IngestJournal(directory);
    const huge = JSON.stringify({ message: '€'.repeat(700_000) });
    const submissions = [
      ['{"a":"plain"}', JSON.stringify({ text: 'naïve 日本語 🎉' })],
      [huge, '{"b":2}'],
      Array.from({ length: 500 }, (_, index) => JSON.stringify({ index, text: `ü${'x'.repeat(index)}` })),
      [JSON.stringify({ text: '\u2028 and \u{1F600}' })],
    ];
    // Submitted without waiting, so they share group commits and the buffer is reused.
    await Promise.all(submissions.map((lines) => journal.append(lines)));
    await journal.append(['{"after":"the large line"}']);
    const segments = await journal.seal();
    const written = segments.map((segment) => readFileSync(segment.path, 'utf8')).join('');
    const expected = [...submissions.flat(), '{"after":"the large line"}'];
    expect(written).toBe(`${expected.join('\n')}\n`);
    expect(segments.reduce((sum, segment) => sum + segment.rows, 0)).toBe(expected.length);
    expect(journal.pendingRows).toBe(expected.length);
    await journal.close();
  });
});
