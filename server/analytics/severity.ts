/** OpenTelemetry severity numbers → Logmill's severity names (1–4 TRACE … 21–24 FATAL). */
const names = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

export function severityName(severityNumber: number): string {
  return names[Math.min(5, Math.max(0, Math.floor((severityNumber - 1) / 4)))]!;
}
