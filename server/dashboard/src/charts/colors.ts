/** One colour per severity, readable on light and dark backgrounds. */
export const severityColors: Record<string, string> = {
  TRACE: '#8b95a5',
  DEBUG: '#6b8fb3',
  INFO: '#3b82f6',
  WARN: '#f59e0b',
  ERROR: '#ef4444',
  FATAL: '#a855f7',
};

/** Colours for breakdown values (variants), in order. */
export const seriesColors = ['#3b82f6', '#f97316', '#10b981', '#a855f7', '#ef4444', '#14b8a6', '#eab308', '#64748b'];
