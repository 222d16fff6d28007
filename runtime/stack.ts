import type { Frame, LogmillContext } from './context.js';

/** The logical async call stack of `context`, innermost frame first. */
export function logicalStack(context: LogmillContext): Frame[] {
  const frames: Frame[] = [];
  for (let current: LogmillContext | undefined = context; current !== undefined; current = current.parent) {
    if (current.frame !== undefined) frames.push(current.frame);
  }
  return frames;
}
