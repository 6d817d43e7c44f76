/**
 * Which controls of a page have no accessible name, as Chromium itself computes names for assistive technology:
 * the full accessibility tree over the DevTools protocol (`Accessibility.getFullAXTree`), not a re-implementation
 * of the naming rules, so `aria-label`, `<label for>`, `aria-labelledby`, `title` and text content all count as
 * Chromium counts them.
 */
import type { CDPSession, Page } from 'playwright-core';

/**
 * Roles a person operates, each of which must be named. `DisclosureTriangle` is Chromium's role for a
 * `<summary>`, the toggle of a `<details>`.
 */
export const OPERABLE_ROLES: ReadonlySet<string> = new Set([
  'button',
  'link',
  'textbox',
  'searchbox',
  'checkbox',
  'radio',
  'combobox',
  'listbox',
  'switch',
  'slider',
  'spinbutton',
  'tab',
  'menuitem',
  'menuitemcheckbox',
  'menuitemradio',
  'DisclosureTriangle',
]);

/** A control without a name: its role, and where it is in words (element, section, nearby text). */
export interface UnnamedControl {
  role: string;
  hint: string;
}

// Runs in the page on the offending element: its tag, id and classes, the section it sits in, and the nearest
// visible text around it, so the failure message says where to look.
const HINT = `function () {
  const el = this;
  const flat = (s) => (s || '').replace(/\\s+/g, ' ').trim();
  const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
  const type = el.getAttribute('type') ? '[type=' + el.getAttribute('type') + ']' : '';
  const tag = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls + type;
  let near = '';
  for (let n = el.parentElement; n && !near; n = n.parentElement) near = flat(n.innerText);
  const region = el.closest('section, form, article, nav, main, [role=region], [role=dialog]');
  let where = '';
  if (region) {
    const labelledBy = region.getAttribute('aria-labelledby');
    where = flat(region.getAttribute('aria-label') || (labelledBy && document.getElementById(labelledBy)?.textContent) || region.querySelector('h1, h2, h3')?.textContent || '');
  }
  return '<' + tag + '>' + (where ? ' in "' + where.slice(0, 60) + '"' : '') + (near ? ', near "' + near.slice(0, 80) + '"' : '');
}`;

async function hintFor(cdp: CDPSession, backendNodeId: number | undefined): Promise<string> {
  if (backendNodeId === undefined) return '(no DOM node)';
  const { object } = await cdp.send('DOM.resolveNode', { backendNodeId });
  if (!object.objectId) return '(DOM node not reachable)';
  const { result } = await cdp.send('Runtime.callFunctionOn', { objectId: object.objectId, functionDeclaration: HINT, returnByValue: true });
  await cdp.send('Runtime.releaseObject', { objectId: object.objectId });
  return String(result.value);
}

/**
 * The operable controls `page` exposes to assistive technology: how many were checked (proof the audit saw the
 * screen it claims to), and those whose accessible name is empty.
 */
export async function auditAccessibleNames(page: Page): Promise<{ checked: number; unnamed: UnnamedControl[] }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('DOM.enable');
    await cdp.send('Accessibility.enable');
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    let checked = 0;
    const unnamed: UnnamedControl[] = [];
    for (const node of nodes) {
      // Ignored nodes are not exposed (hidden, inert, inside a closed <details>): no one can reach them.
      if (node.ignored) continue;
      const role = String(node.role?.value ?? '');
      if (!OPERABLE_ROLES.has(role)) continue;
      checked += 1;
      if (String(node.name?.value ?? '').trim() !== '') continue;
      unnamed.push({ role, hint: await hintFor(cdp, node.backendDOMNodeId) });
    }
    return { checked, unnamed };
  } finally {
    await cdp.detach();
  }
}

/** The failure message: one line per unnamed control. */
export function describeUnnamed(screen: string, unnamed: readonly UnnamedControl[]): string {
  return `${unnamed.length} control(s) on ${screen} have no accessible name (give each a visible <label> or an aria-label):\n${unnamed
    .map((u) => `  - ${u.role}: ${u.hint}`)
    .join('\n')}`;
}
