import { createClient, LINE_EVENTS } from '@webex/calling';
export async function start(webex: Parameters<typeof createClient>[0]) {
  const client = await createClient(webex);
  const line = Object.values(client.getLines())[0];
  line?.on(LINE_EVENTS.REGISTERED, () => console.log('registered'));
  line?.register();
  return client;
}
