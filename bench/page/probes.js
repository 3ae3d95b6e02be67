/**
 * In-page probes for `npm run bench`, plain JavaScript: the bench injects this file's text with
 * page.evaluate or an init script (extension pages included; evaluate is not subject to their
 * CSP), so no bundler helpers leak in. Times are taken in the page itself.
 */
globalThis.benchProbes ??= (() => {
  /** The element whose whole text is `text` (a leaf), if one is in the document. */
  const leafWithText = (text) => {
    for (const element of document.querySelectorAll('body *')) {
      if (element.childElementCount === 0 && element.textContent.trim() === text) return element;
    }
    return null;
  };

  const probes = {
    pending: null,
    firstStatus: null,
    statusLog: [],

    /**
     * From a click on the button whose text is `button` to the first DOM change after which an
     * element's whole text is `done`. Await `benchProbes.pending` for `{ms, from, to}` (from/to
     * in epoch ms, for the emulator's log).
     */
    armClick({ button, done, timeoutMs = 30000 }) {
      if (leafWithText(done)) throw new Error(`"${done}" is shown before the click`);
      let start;
      let observer;
      probes.pending = new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          observer.disconnect();
          reject(new Error(`"${done}" not shown ${timeoutMs} ms after arming`));
        }, timeoutMs);
        const check = () => {
          if (start === undefined || !leafWithText(done)) return;
          const end = performance.now();
          observer.disconnect();
          clearTimeout(timer);
          resolve({
            ms: end - start,
            from: performance.timeOrigin + start,
            to: performance.timeOrigin + end,
          });
        };
        observer = new MutationObserver(check);
        observer.observe(document, {
          subtree: true,
          childList: true,
          characterData: true,
          attributes: true,
        });
        document.addEventListener(
          'click',
          (event) => {
            const target = event.target instanceof Element ? event.target.closest('button') : null;
            if (start === undefined && target && target.textContent.trim() === button) {
              start = performance.now();
            }
          },
          { capture: true },
        );
      });
      probes.pending.catch(() => {});
    },

    /**
     * Install before the page's own scripts (an init script): milliseconds from navigation start
     * to the first moment a role=status element has text. Await `benchProbes.firstStatus`.
     */
    watchFirstStatus({ timeoutMs = 30000 } = {}) {
      probes.firstStatus = new Promise((resolve, reject) => {
        const shown = () =>
          [...document.querySelectorAll('[role="status"]')].some(
            (element) => element.textContent.trim() !== '',
          );
        const timer = setTimeout(() => {
          observer.disconnect();
          reject(new Error(`no status text ${timeoutMs} ms after navigation`));
        }, timeoutMs);
        const observer = new MutationObserver(() => {
          if (!shown()) return;
          const at = performance.now();
          observer.disconnect();
          clearTimeout(timer);
          resolve(at);
        });
        observer.observe(document, { subtree: true, childList: true, characterData: true });
      });
      probes.firstStatus.catch(() => {});
    },

    /** Every value the click-to-register control's status attribute takes, with Date.now(). */
    watchControlStatus() {
      const control = document.querySelector('[data-webex-line="register"]');
      if (!control) throw new Error('no click-to-register control on this page');
      probes.statusLog = [];
      new MutationObserver(() => {
        probes.statusLog.push({
          status: control.getAttribute('data-webex-line-status'),
          at: Date.now(),
        });
      }).observe(control, { attributes: true, attributeFilter: ['data-webex-line-status'] });
    },

    /** When the control first showed `status` at or after `since` (epoch ms), else null. */
    controlStatusAt(status, since) {
      const entry = probes.statusLog.find((e) => e.status === status && e.at >= since);
      return entry ? entry.at : null;
    },
  };
  return probes;
})();
