/**
 * Anyone with the public ingest key writes event content, and operators print it: `logmill tail`
 * and `logmill query` must not hand a terminal the control sequences in it (ESC/CSI clearing the
 * screen or forging coloured lines, OSC setting the title or the clipboard, BEL, C1, carriage
 * returns and newlines forging lines, bidirectional overrides). Text output shows them as escapes;
 * JSON output stays JSON of the same values.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { table } from '../cli/analytics-commands.js';
import { printable, terminalJson } from '../cli/terminal-text.js';
import { type CollectorProcess, cliPath, keys, startCollector } from './helpers/collector-process.js';
import { envelope, ingestAll } from './helpers/dataset.js';

const hostile = '\u001b]0;owned\u0007\u001b[2J\u001b[31mFAKE ERROR\u001b[0m \u009b2J \u001b]52;c;aGk=\u001b\\ \r2026-01-01 ERROR forged\nline \u202etxt.exe \u0000\u007f';
/** Every character a terminal obeys: C0 but tab, DEL, C1, bidirectional controls. */
const obeyed = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** The same but newline, which ends each line the commands print. */
const obeyedWithinLines = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** An event whose message is `label` followed by the hostile text, as a client rendered it. */
function hostileEvent(label: string): string {
  const event = JSON.parse(envelope({ userId: 'u-terminal', severity: 'WARN', template: `${label} %s`, args: [hostile] })) as Record<string, unknown>;
  event['message'] = `${label} ${hostile}`;
  return JSON.stringify(event);
}

describe('text for a terminal', () => {
  it('shows every control character as an escape and leaves the rest', () => {
    const shown = printable(hostile);
    expect(shown).not.toMatch(obeyed);
    expect(shown).toContain('\\x1b]0;owned\\x07\\x1b[2J');
    expect(shown).toContain('\\x9b2J');
    expect(shown).toContain('\\r2026-01-01 ERROR forged\\nline \\u202etxt.exe \\x00\\x7f');
    expect(printable('tab\tand ünïcödé, emoji 🙂, C:\\path')).toBe('tab\tand ünïcödé, emoji 🙂, C:\\path');
  });

  it('keeps JSON the same value, with no control character raw', () => {
    const json = terminalJson({ message: hostile, nested: [hostile] }, 2);
    expect(json).not.toMatch(obeyedWithinLines);
    expect(JSON.parse(json)).toEqual({ message: hostile, nested: [hostile] });
  });

  it('escapes table cells before measuring them', () => {
    const text = table(['message', 'count'], [[hostile, '3']]);
    expect(text).not.toMatch(obeyedWithinLines);
    expect(text.trimEnd().split('\n')).toHaveLength(3);
    const [header, rule, row] = text.split('\n');
    expect(row!.indexOf('  3')).toBe(rule!.indexOf('  -'));
    expect(header).toMatch(/^message +count$/);
  });
});

describe('the operator commands', () => {
  let collector: CollectorProcess;
  beforeAll(async () => {
    collector = await startCollector();
  }, 60_000);
  afterAll(async () => {
    await collector.stop();
  });

  async function tailWhile(json: boolean, marker: string): Promise<string> {
    const child = spawn(process.execPath, [cliPath, 'tail', ...(json ? ['--json'] : []), '--url', collector.url, '--key', keys.admin], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('latin1')));
    try {
      let attempt = 0;
      // Until the tail is connected, posted events are not for it: keep posting until one shows.
      while (!output.includes(marker)) {
        await ingestAll(collector.url, keys.ingest, [hostileEvent(`${marker} ${attempt++}`)]);
        await new Promise((resolve) => setTimeout(resolve, 100));
        if (attempt > 100) throw new Error(`the tail never showed the event:\n${output}`);
      }
      return output;
    } finally {
      child.kill();
    }
  }

  it('`logmill tail` prints no control character of the event, as text or as JSON', async () => {
    // Read as latin1 so that a C1 control sent as UTF-8 shows as its bytes (\xc2\x9b) and is caught.
    const text = await tailWhile(false, 'text-tail');
    expect(text).toContain('\\x1b]0;owned\\x07');
    expect(text).not.toMatch(obeyedWithinLines);
    expect(text.trimEnd().split('\n').every((line) => line.includes('text-tail'))).toBe(true);
    const json = await tailWhile(true, 'json-tail');
    expect(json).not.toMatch(obeyedWithinLines);
    const row = JSON.parse(Buffer.from(json.trimEnd().split('\n').at(-1)!, 'latin1').toString('utf8')) as { message: string };
    expect(row.message).toMatch(/^json-tail \d+ /);
    expect(row.message.endsWith(hostile)).toBe(true);
  });

  it('`logmill query` prints no control character of the event in its table, and its JSON is the same value', async () => {
    await ingestAll(collector.url, keys.ingest, [hostileEvent('user agent')]);
    const query = JSON.stringify({ where: [{ field: 'template', value: 'user agent %s' }], groupBy: [{ field: 'message' }] });
    const run = (extra: string[]) => promisify(execFile)(process.execPath, [cliPath, 'query', query, '--url', collector.url, '--key', keys.admin, ...extra], { encoding: 'latin1' });
    const { stdout: text } = await run([]);
    expect(text).toContain('user agent \\x1b]0;owned');
    expect(text).not.toMatch(obeyedWithinLines);
    const { stdout: json } = await run(['--json']);
    expect(json).not.toMatch(obeyedWithinLines);
    const answer = JSON.parse(Buffer.from(json, 'latin1').toString('utf8')) as { rows: { message: string }[] };
    expect(answer.rows.map((row) => row.message)).toEqual([`user agent ${hostile}`]);
  });
});
