import { invalidArgument } from '../invalid-argument.js';

/** Log levels with their OpenTelemetry severity numbers. */
export const severityNumbers = {
  trace: 1,
  debug: 5,
  info: 9,
  warn: 13,
  error: 17,
  fatal: 21,
} as const;

export type LevelName = keyof typeof severityNumbers;

/** A level name, or `'silent'` to log nothing. */
export type LevelSetting = LevelName | 'silent';

export const levelNames = Object.keys(severityNumbers) as LevelName[];

/** The minimum severity number a setting lets through. */
export function thresholdOf(setting: LevelSetting): number {
  if (setting === 'silent') return Infinity;
  const severity = severityNumbers[setting];
  if (severity === undefined) throw invalidArgument(`unknown level "${String(setting)}": use ${levelNames} or silent`);
  return severity;
}

/** The OpenTelemetry severity text for a severity number (`INFO`, `WARN2`, ...). */
export function severityText(severityNumber: number): string {
  const index = Math.min(5, Math.max(0, Math.floor((severityNumber - 1) / 4)));
  return levelNames[index]!.toUpperCase();
}
