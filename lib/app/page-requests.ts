/**
 * The answer to our content script on an opted-in page (the router has checked the sender and
 * that the request is one a page may make): the page's status, after its registration or its
 * call request if it asked for one. A page learns only what pageStatus lets it see.
 */
import type { PageStatus, RequestType } from '../messaging/protocol';
import { pageCallsOf, type RouterContext } from './router-context';

export async function answerPage(
  type: RequestType,
  payload: unknown,
  page: { tabId: number; origin: string },
  ctx: RouterContext,
): Promise<PageStatus> {
  if (type === 'page/call') {
    // Recorded and shown to the user in the extension's own window; nothing is dialled here.
    await pageCallsOf(ctx).ask(page, payload, await ctx.line.snapshot());
  }
  const snapshot =
    type === 'line/register'
      ? await ctx.line.register({ fromPage: true })
      : await ctx.line.snapshot();
  return ctx.pageStatus(snapshot, page);
}
