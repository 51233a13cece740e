/*
 * Links from a report to the org's Setup pages.
 *
 * - A connected app: Setup > Apps > Connected Apps > Manage Connected Apps > [app], the page Salesforce itself
 *   opens for an installed app, is `/lightning/setup/ConnectedApplication/page?address=<encoded path>` with the
 *   path `/app/mgmt/forceconnectedapps/forceAppDetail.apexp?connectedAppId=<ConnectedApplication Id, 0H4…>`.
 *   Source: the address bar of that page (quoted in public READMEs and browser extensions, e.g. Salesforce
 *   Inspector-style "open in Setup" helpers), which embeds exactly that path with the 0H4 Id.
 * - An app that is not installed has no Id: Setup > Connected Apps OAuth Usage, `/lightning/setup/ConnectedAppsUsage/home`
 *   (the Quick Find page of that name; sfdx-hardis links to it the same way), where it can be installed or blocked.
 * - The base is the instance URL the CLI is logged in to (https://<domain>.my.salesforce.com): Salesforce serves
 *   /lightning/ paths there by redirecting to the org's Lightning domain, so no domain is guessed. Only https
 *   URLs (and http on a loopback address, the emulator) make links; anything else makes none.
 */
export function setupBase(instanceUrl: string | null | undefined): string | null {
  if (!instanceUrl) return null;
  let url: URL;
  try {
    url = new URL(instanceUrl);
  } catch {
    return null;
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return null;
  if (url.username || url.password) return null;
  return url.origin;
}

const APP_ID = /^0H4[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?$/;

/** The app's page in Setup (Manage Connected Apps), or null without a usable base or a ConnectedApplication Id. */
export function connectedAppSetupUrl(base: string | null, appId: string | null | undefined): string | null {
  if (base === null || !appId || !APP_ID.test(appId)) return null;
  const address = `/app/mgmt/forceconnectedapps/forceAppDetail.apexp?connectedAppId=${appId}`;
  return `${base}/lightning/setup/ConnectedApplication/page?address=${encodeURIComponent(address)}`;
}

/** Setup > Connected Apps OAuth Usage (where apps that are not installed are installed or blocked). */
export function oauthUsageSetupUrl(base: string | null): string | null {
  return base === null ? null : `${base}/lightning/setup/ConnectedAppsUsage/home`;
}
