import { z } from 'zod';

/**
 * The station talks to its backend and its release server over HTTPS. Plain HTTP is allowed only to
 * this computer itself (the reference server `npm start` runs beside the station, tests on loopback):
 * anything else would carry the station's token, children's data and update feeds in clear through a
 * school network anyone can plug into.
 */
export function transportAllowed(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'https:') return true;
  if (u.protocol !== 'http:') return false;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A backend or release-server address: https://…, or http:// to this computer only. */
export const ServerUrl = z.url({ protocol: /^https?$/ }).refine(transportAllowed, { message: 'must be https:// (plain http:// only to this computer)' });
