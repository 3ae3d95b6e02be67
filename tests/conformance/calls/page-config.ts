import type { EmulatorUrls } from '../../emulator/types';
import { fetchHostmap, registerWdmDevice, signInDemo } from '../sdk-harness/cloud-bootstrap';
import { emulatorHostMap } from '../sdk-harness/sdk-session';
import { servicesFromHostmap } from '../sdk-harness/service-catalog';
import type { PageConfig } from './page-protocol';

export async function pageConfigFor(urls: EmulatorUrls, email: string): Promise<PageConfig> {
  const tokens = await signInDemo(urls.base, email);
  const hostmap = await fetchHostmap(`${urls.base}/u2c/api/v1`, tokens.access_token);
  const wdmUrl = hostmap.serviceLinks.wdm;
  if (!wdmUrl) throw new Error('catalog has no wdm service link');
  const device = await registerWdmDevice(wdmUrl, tokens.access_token);
  const registration = (await (
    await fetch(device.url, { headers: { authorization: `Bearer ${tokens.access_token}` } })
  ).json()) as { webSocketUrl?: string };
  if (!registration.webSocketUrl) throw new Error('WDM device has no webSocketUrl');
  const services = servicesFromHostmap(hostmap);
  return {
    accessToken: tokens.access_token,
    device: { ...device, webSocketUrl: registration.webSocketUrl },
    services: {
      hostCatalog: services._hostCatalog,
      serviceUrls: services._serviceUrls,
      mobiusClusters: services.getMobiusClusters(),
    },
    hostMap: emulatorHostMap(urls),
  };
}
