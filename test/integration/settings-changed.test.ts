/**
 * Two windows on one station (setup open in one, the guard screen in the other; or the browser host's
 * tab and the app's window): a real station on a real SQLite file and its real WebSocket bridge, two
 * sockets. What setup changes in one reaches the other as `settings.changed`, without a re-read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../../common/contract/index.ts';
import { startWsBridge } from '../../core/bridge/ws-server.ts';
import { silentLogger } from '../../node/logger.ts';
import { createStation } from '../../station/station.ts';
import { asIt } from '../helpers/it-session.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { sleep } from '../helpers/wait.ts';

const TOKEN = 'cd'.repeat(24);
const tempDir = useTempDir('settings-changed-');
let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function window(port: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/bridge`, { headers: { cookie: `station_${port}=${TOKEN}` } });
  cleanups.push(() => void ws.close());
  await new Promise((ok) => ws.once('open', ok));
  const heard: ServerMessage[] = [];
  ws.on('message', (d) => heard.push(JSON.parse(d.toString()) as ServerMessage));
  let id = 1;
  const ask = (name: string, input: unknown = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const mine = id++;
      const on = (d: WebSocket.RawData) => {
        const m = JSON.parse(d.toString()) as ServerMessage;
        if (m.t !== 'res' || m.id !== mine) return;
        ws.off('message', on);
        if (m.ok) resolve(m.output);
        else reject(new Error(`${name}: ${m.error.code} ${m.error.reason ?? ''}`));
      };
      ws.on('message', on);
      ws.send(JSON.stringify({ t: 'req', id: mine, name, input }));
    });
  const changes = () => heard.filter((m) => m.t === 'evt' && m.name === 'settings.changed').map((m) => (m as { payload: unknown }).payload);
  return { ask, changes };
}

describe('settings changed in one window', () => {
  it('reach every other window connected to the station, and a refused change reaches none', async () => {
    const station = await createStation({ dataDir: tempDir(), demoStudents: 3, logger: silentLogger() });
    cleanups.push(() => station.close());
    const bridge = await startWsBridge({ router: station.router, photos: station.photos, token: TOKEN, staticDir: null, log: silentLogger() });
    cleanups.push(() => bridge.close());
    const setup = await window(bridge.port);
    const guardScreen = await window(bridge.port);

    // Without IT's session the change is refused: nobody hears of a change that did not happen.
    await expect(guardScreen.ask('settings.update', { stationName: 'Вход' })).rejects.toThrow('it_session_required');
    await sleep(50);
    expect(guardScreen.changes()).toEqual([]);

    const saved = await asIt(setup.ask, () => setup.ask('settings.update', { mode: 'guard', stationName: 'Главный вход', locale: 'en' }));
    await sleep(50);
    expect(guardScreen.changes()).toEqual([saved]);
    expect(guardScreen.changes()[0]).toMatchObject({ mode: 'guard', stationName: 'Главный вход', locale: 'en' });
    // The window that made the change hears it too (its own answer said the same).
    expect(setup.changes()).toEqual([saved]);
    expect(await guardScreen.ask('settings.get')).toEqual(saved);
  });
});
