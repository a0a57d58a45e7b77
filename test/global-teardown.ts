import { removeStrayKeyFolders } from './helpers/stray-keys.ts';

/** vitest: after the run, the key folders its tests left beside data folders they removed (test/helpers/stray-keys.ts). */
export default function setup(): () => void {
  const since = Date.now();
  return () => {
    removeStrayKeyFolders(since);
  };
}
