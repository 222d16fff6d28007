/**
 * What the operator commands print of event content, made safe for a terminal. Anyone with the
 * public ingest key writes event content, and a terminal obeys control sequences in what it
 * prints: ESC/CSI clears the screen or forges coloured lines, OSC sets the title, writes the
 * clipboard (OSC 52) or disguises links (OSC 8), and a carriage return or newline overwrites or
 * forges lines. Text output shows every control character as an escape (`\x1b`, `\n`, `\u202e`);
 * JSON output stays JSON, with the controls JSON.stringify leaves raw (DEL, the C1 range and the
 * bidirectional overrides) written as `\u` escapes.
 */

// C0 but tab, DEL, C1, and the bidirectional embeddings, overrides and isolates.
const controlCharacters = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const jsonRawControls = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const named: Record<string, string> = { '\n': '\\n', '\r': '\\r' };

function hex(character: string, digits: number): string {
  return character.charCodeAt(0).toString(16).padStart(digits, '0');
}

/** The text with every control character shown as an escape, so printing it cannot drive the terminal. */
export function printable(text: string): string {
  return text.replace(controlCharacters, (character) => named[character] ?? (character.charCodeAt(0) <= 0xff ? `\\x${hex(character, 2)}` : `\\u${hex(character, 4)}`));
}

/** JSON text of the value in which no character a terminal obeys appears raw; still valid JSON of the same value. */
export function terminalJson(value: unknown, indentation?: number): string {
  return escapeRawControls(JSON.stringify(value, null, indentation));
}

/** JSON text (as received) with the controls JSON.stringify leaves raw written as `\u` escapes. */
export function escapeRawControls(json: string): string {
  return json.replace(jsonRawControls, (character) => `\\u${hex(character, 4)}`);
}
