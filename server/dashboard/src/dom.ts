/**
 * Building DOM nodes without HTML strings: every piece of event data becomes a text node, so a
 * hostile message can never become markup.
 */
type Child = Node | string | number | null | undefined | false;
type Properties = Record<string, string | number | boolean | EventListener | undefined>;

/** `h('button', { class: 'primary', onclick: go }, 'Run')`: attributes, `on…` listeners, children. */
export function h<Tag extends keyof HTMLElementTagNameMap>(tag: Tag, properties: Properties = {}, ...children: Child[]): HTMLElementTagNameMap[Tag] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(properties)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces everything inside `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A view's root and what to stop when the reader leaves it. */
export interface View {
  element: HTMLElement;
  dispose(): void;
}
