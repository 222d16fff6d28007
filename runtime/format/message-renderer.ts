/**
 * Who renders messages that need more than `%s` and `%d`. Python-exact `%`-formatting is about
 * 11 KB of minified code, more than a page should pay for logging: the entries that can afford it
 * (`index.ts`, so Node and every non-browser runtime) install the full renderer; the browser entry
 * does not, and its events then travel with template and args only, for the collector (which has
 * the full renderer) to render.
 */
import type { CompiledTemplate } from './compile-template.js';
import type { FormatResult } from './format-percent.js';

/** Renders a template with its args; the site's build-time parse comes along when there is one. */
export type MessageRenderer = (template: string, args: readonly unknown[], compiled: CompiledTemplate | undefined) => FormatResult;

let installed: MessageRenderer | undefined;

/** Installs the renderer for templates `formatSimple` cannot render. */
export function installMessageRenderer(renderer: MessageRenderer): void {
  installed = renderer;
}

/** The full renderer, or undefined where none was installed (the browser entry). */
export function messageRenderer(): MessageRenderer | undefined {
  return installed;
}
