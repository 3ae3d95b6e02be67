/**
 * One DevTools command to the extension's offscreen document. Playwright lists no offscreen
 * document as a page, so from a page's CDP session: find its target, attach (not flat:
 * Playwright's sessions do not route child sessions), send through Target.sendMessageToTarget
 * and, when asked, wait for the answer. Used by the bench (its heap) and the e2e suite (a crash).
 */
import type { CDPSession } from '@playwright/test';

export async function offscreenCommand<T>(
  cdp: CDPSession,
  method: string,
  options: { answer: boolean },
): Promise<T | undefined> {
  const { targetInfos } = await cdp.send('Target.getTargets');
  const target = targetInfos.find((t) => t.url.endsWith('/offscreen.html'));
  if (!target) throw new Error('no offscreen document target');
  const { sessionId } = await cdp.send('Target.attachToTarget', {
    targetId: target.targetId,
    flatten: false,
  });
  try {
    const answered = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${method}`)), 5000);
      cdp.on('Target.receivedMessageFromTarget', (event) => {
        if (event.sessionId !== sessionId) return;
        const message = JSON.parse(event.message) as { id?: number; result?: T };
        if (message.id !== 1 || !message.result) return;
        clearTimeout(timer);
        resolve(message.result);
      });
    });
    // A command that ends the target (Page.crash) never answers: wait for the target to go
    // instead (detaching first could drop the command before the target took it).
    if (!options.answer) answered.catch(() => undefined);
    const gone = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the target outlived ${method}`)), 5000);
      cdp.on('Target.detachedFromTarget', (event) => {
        if (event.sessionId !== sessionId) return;
        clearTimeout(timer);
        resolve();
      });
    });
    if (options.answer) gone.catch(() => undefined);
    await cdp.send('Target.sendMessageToTarget', {
      sessionId,
      message: JSON.stringify({ id: 1, method }),
    });
    if (options.answer) return await answered;
    await gone;
    return undefined;
  } finally {
    await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => {});
  }
}
