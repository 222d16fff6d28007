// Prints each Logmill event as one line: message, context variables, logical stack (function and module).
import { addSink } from 'logmill';

export function printEvents(): void {
  addSink((event) => {
    const stack = event.context.stack.map((frame) => `${frame.function} (${frame.module})`).join(' <- ');
    console.log(`${event.message} | vars ${JSON.stringify(event.context.vars)} | stack ${stack || '(none)'}`);
  });
}
