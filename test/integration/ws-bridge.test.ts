import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBrowserHost, type BrowserHost } from '../../host/browser-host.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

let host: BrowserHost;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'station-ws-'));
  host = await startBrowserHost({ dataDir, staticDir: dataDir });
});
afterAll(async () => {
  await host.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => ok(ws));
    ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', fail);
  });
}

function ask(ws: WebSocket, msg: unknown): Promise<Record<string, unknown>> {
  return new Promise((ok) => {
    const onMessage = (d: WebSocket.RawData) => {
      const m = JSON.parse(d.toString()) as Record<string, unknown>;
      if (m.t !== 'res') return;
      ws.off('message', onMessage);
      ok(m);
    };
    ws.on('message', onMessage);
    ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  });
}

const bridge = () => `${host.origin.replace('http', 'ws')}/bridge`;

describe('the WebSocket bridge of the browser host', () => {
  it('refuses a connection without the token', async () => {
    await expect(connect(bridge())).rejects.toThrow('HTTP 401');
  });

  it('refuses a wrong token, in the cookie or in the query', async () => {
    await expect(connect(bridge(), { cookie: 'station_token=wrong' })).rejects.toThrow('HTTP 401');
    await expect(connect(`${bridge()}?token=${'0'.repeat(48)}`)).rejects.toThrow('HTTP 401');
  });

  it('refuses a page from another origin even with the token', async () => {
    await expect(connect(bridge(), { cookie: `station_token=${host.token}`, origin: 'http://evil.example' })).rejects.toThrow('HTTP 401');
  });

  it('refuses photos without the token', async () => {
    const res = await fetch(`${host.origin}/photos/${'a'.repeat(64)}`);
    expect(res.status).toBe(401);
  });

  it('with the token: answers requests, names the bad field of a malformed payload, and keeps running', async () => {
    const ws = await connect(bridge(), { cookie: `station_token=${host.token}` });
    expect(await ask(ws, { t: 'req', id: 1, name: 'station.getStatus', input: {} })).toMatchObject({ id: 1, ok: true });
    expect(await ask(ws, { t: 'req', id: 2, name: 'settings.update', input: { locale: 'de' } })).toMatchObject({
      id: 2,
      ok: false,
      error: { code: 'invalid_input', field: 'locale' },
    });
    expect(await ask(ws, '{not json')).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
    expect(await ask(ws, { t: 'req', id: 3, name: 'settings.get', input: {} })).toMatchObject({ id: 3, ok: true, output: { locale: 'ru' } });
    ws.close();
  });

  it('the page URL with the token sets an HttpOnly cookie and redirects; a wrong token gets 401', async () => {
    const ok = await fetch(host.url, { redirect: 'manual' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('set-cookie')).toMatch(/station_token=.*HttpOnly; SameSite=Strict/);
    const bad = await fetch(`${host.origin}/?token=nope`, { redirect: 'manual' });
    expect(bad.status).toBe(401);
  });
});
