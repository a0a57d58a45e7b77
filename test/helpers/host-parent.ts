/**
 * A parent for the "parent gone" test: starts the browser host on a data folder, prints the station
 * process's pid as one JSON line, and waits to be killed.
 *   node test/helpers/host-parent.ts DATA_DIR
 */
import { startBrowserHost } from '../../host/browser-host.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: host-parent.ts DATA_DIR');
const host = await startBrowserHost({ dataDir, staticDir: dataDir });
process.stdout.write(`${JSON.stringify({ stationPid: host.child.pid })}\n`);
setInterval(() => {}, 60_000);
