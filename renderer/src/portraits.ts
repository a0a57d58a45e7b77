import { station } from './station-client.ts';

/**
 * Portraits that arrived with a tap's event (`data:` URLs), by content hash. A view that shows a holder
 * asks `portraitSrc` for the image source: the data URL when the tap brought one (no trip through the
 * browser's network stack, already decoding), otherwise the station's photo URL. Bounded: only the last
 * few dozen taps are kept, which covers the big card, the strip and the top of the feed.
 */
const MAX = 48;
const cache = new Map<string, string>();

export function rememberPortrait(hash: string, dataUrl: string): void {
  cache.delete(hash);
  cache.set(hash, dataUrl);
  if (cache.size > MAX) cache.delete(cache.keys().next().value as string);
  // Decode now, off the main thread, while React renders the card: the frame that shows it finds the
  // pixels ready (Chromium keeps the decoded image for the same URL).
  const img = new Image();
  img.src = dataUrl;
  img.decode().catch(() => {});
}

export function portraitSrc(hash: string): string {
  return cache.get(hash) ?? station.photoUrl(hash);
}
