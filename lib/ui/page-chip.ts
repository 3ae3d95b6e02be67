/**
 * The status chip the click-to-register script shows on a page: the line's status, and a note
 * (why a click asked nothing, how the page's call goes). Shared by both halves of the script:
 * register controls and call controls each decide whether they want it.
 */

import type { PageStatus } from '../messaging/protocol';
import { t } from './i18n';
import { type NativeDocument, nativeElement } from './native-dom';
import { statusLabel } from './status';

export const CHIP_TAG = 'webex-line-chip';
export const CHIP_OPT_OUT_ATTRIBUTE = 'data-webex-line-chip';

/** Whether this control says the page wants no chip (`data-webex-line-chip="off"`). */
export function chipOptedOut(control: Element | null): boolean {
  return control !== null && nativeElement.getAttribute(control, CHIP_OPT_OUT_ATTRIBUTE) === 'off';
}

const CHIP_CSS = `
:host { all: initial; position: fixed; right: 12px; bottom: 12px; z-index: 2147483647;
  pointer-events: none; font: 13px/1.35 system-ui, -apple-system, "Segoe UI", sans-serif; }
.chip { display: flex; flex-direction: column; gap: 2px; max-width: 280px; padding: 6px 12px;
  border-radius: 14px; background: #1f2328; color: #f5f7fa; box-shadow: 0 2px 8px rgba(0,0,0,.3); }
.row { display: flex; align-items: center; gap: 8px; }
.dot { width: 8px; height: 8px; border-radius: 50%; background: #9aa4b2; flex: none; }
.chip[data-status="registered"] .dot { background: #4ade80; }
.chip[data-status="connecting"] .dot, .chip[data-status="reconnecting"] .dot { background: #fbbf24; }
.chip[data-status="error"] .dot { background: #f87171; }
.note { font-size: 12px; color: #d0d6de; }
.note:empty { display: none; }
`;

interface ChipState {
  status: PageStatus | null;
  note: string | null;
}

/**
 * The in-page chip: a shadow root so page styles cannot reach in and ours cannot leak out. It is
 * closed: the chip says more than the status event (whether the user is signed in, the notes),
 * and the page must neither read that nor rewrite what the chip tells the user.
 */
export function createChip(dom: NativeDocument) {
  let host: HTMLElement | null = null;
  let box: HTMLElement | null = null;
  let text: HTMLElement | null = null;
  let noteLine: HTMLElement | null = null;

  const mount = () => {
    host = dom.create(CHIP_TAG);
    const shadow = host.attachShadow({ mode: 'closed' });
    addStyles(dom, shadow);
    box = dom.create('div');
    box.className = 'chip';
    box.setAttribute('role', 'status');
    box.setAttribute('aria-live', 'polite');
    const row = dom.create('div');
    row.className = 'row';
    const dot = dom.create('span');
    dot.className = 'dot';
    text = dom.create('span');
    noteLine = dom.create('span');
    noteLine.className = 'note';
    row.append(dot, text);
    box.append(row, noteLine);
    shadow.append(box);
    dom.mountPoint()?.append(host);
  };

  return {
    render(state: ChipState | null) {
      if (!state) {
        host?.remove();
        host = box = text = noteLine = null;
        return;
      }
      if (!host) {
        try {
          mount();
        } catch {
          // The page took the chip's tag for a custom element of its own: go without a chip.
          host = box = text = noteLine = null;
          return;
        }
      }
      const status = state.status;
      const label = status ? statusLabel(status.status) : t('chipChecking');
      const line = status && !status.signedIn ? t('chipSignedOut') : t('chipStatus', label);
      const statusValue = status?.status ?? 'inactive';
      // Only touch what changed: every write would wake the page's observers (and ours).
      if (box && box.getAttribute('data-status') !== statusValue)
        box.setAttribute('data-status', statusValue);
      if (text && text.textContent !== line) text.textContent = line;
      const noteText = state.note ?? '';
      if (noteLine && noteLine.textContent !== noteText) noteLine.textContent = noteText;
    },
  };
}

/** Constructable sheets are not subject to the page's style CSP; fall back to a style tag. */
function addStyles(dom: NativeDocument, shadow: ShadowRoot) {
  const SheetCtor = dom.view()?.CSSStyleSheet;
  try {
    if (SheetCtor && 'adoptedStyleSheets' in shadow) {
      const sheet = new SheetCtor();
      sheet.replaceSync(CHIP_CSS);
      shadow.adoptedStyleSheets = [sheet];
      return;
    }
  } catch {
    // Fall through to a style element.
  }
  const style = dom.create('style');
  style.textContent = CHIP_CSS;
  shadow.append(style);
}
