/**
 * The browser host and the station's bridge, attacked from this computer without the token and with
 * malformed requests: every one is answered (400, 401, 404, 405, 431) and the station keeps serving
 * taps. Then the customer display's own channel: only the projection, never a name, no requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { generateDemoSchool } from '../../common/demo-school.ts';
import { startBrowserHost, type BrowserHost } from '../../host/browser-host.ts';
import { asIt } from '../helpers/it-session.ts';

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

/**
 * A socket whose frames are recorded from the very first: a frame the server sends on connection can
 * arrive with the upgrade and be emitted before the code awaiting `open` runs.
 */
async function connectRecorded(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; frames: Record<string, unknown>[] }> {
  const ws = new WebSocket(url, { headers });
  const frames = record(ws);
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ok());
    ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', fail);
  });
  return { ws, frames };
}

/** Every frame a socket receives, parsed. */
function record(ws: WebSocket): Record<string, unknown>[] {
  const frames: Record<string, unknown>[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Record<string, unknown>));
  return frames;
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

let nextId = 100;
async function call<T = unknown>(ws: WebSocket, name: string, input: unknown = {}): Promise<T> {
  const reply = await ask(ws, { t: 'req', id: nextId++, name, input });
  if (!reply.ok) throw new Error(`${name}: ${JSON.stringify(reply.error)}`);
  return reply.output as T;
}

function nextEvent(ws: WebSocket, name: string, timeoutMs = 5000): Promise<unknown> {
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no ${name} event`)), timeoutMs);
    const onMessage = (d: WebSocket.RawData) => {
      const m = JSON.parse(d.toString()) as { t: string; name?: string; payload?: unknown };
      if (m.t !== 'evt' || m.name !== name) return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      ok(m.payload);
    };
    ws.on('message', onMessage);
  });
}

/** One raw HTTP request as bytes, as an attacker would write it; resolves with the status line's code. */
function raw(request: string | Buffer): Promise<number> {
  const port = Number(new URL(host.origin).port);
  return new Promise((ok, fail) => {
    const socket = tcp(port, '127.0.0.1', () => socket.write(request));
    let got = '';
    socket.on('data', (d) => {
      got += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      if (m) {
        socket.destroy();
        ok(Number(m[1]));
      }
    });
    socket.on('error', fail);
    socket.on('close', () => (got ? undefined : fail(new Error('closed without an answer'))));
    socket.setTimeout(5000, () => fail(new Error('no answer')));
  });
}

const bridge = () => `${host.origin.replace('http', 'ws')}/bridge`;
const customerBridge = () => `${host.origin.replace('http', 'ws')}/customer/bridge`;
const hostHeader = () => `Host: 127.0.0.1:${new URL(host.origin).port}`;

/** The station still does its job: a demo tap reaches the page's socket as `card.presented`. */
let tapped = 0;
async function tapStillServed(): Promise<void> {
  const ws = await connect(bridge(), { cookie: host.cookie });
  const cards = await call<{ uid: string; technology: string }[]>(ws, 'demo.listCards');
  // Another card each time: the reader's debounce takes one read per card.
  const card = cards[tapped++ % cards.length]!;
  const presented = nextEvent(ws, 'card.presented');
  await call(ws, 'demo.tap', { readerId: 'demo', technology: card.technology, uid: card.uid });
  expect(await presented).toMatchObject({ read: { uid: card.uid } });
  ws.close();
}

describe('the WebSocket bridge of the browser host', () => {
  it('refuses a connection without the token', async () => {
    await expect(connect(bridge())).rejects.toThrow('HTTP 401');
  });

  it('refuses a wrong token in the cookie, and a token in the query (the cookie only authenticates)', async () => {
    const [name] = host.cookie.split('=');
    await expect(connect(bridge(), { cookie: `${name}=${'0'.repeat(48)}` })).rejects.toThrow('HTTP 401');
    await expect(connect(`${bridge()}?token=${host.token}`)).rejects.toThrow('HTTP 401');
    // A cookie of another port's station (cookies are shared by every port of 127.0.0.1) is not ours.
    await expect(connect(bridge(), { cookie: `station_1=${host.token}` })).rejects.toThrow('HTTP 401');
  });

  it('refuses a page from another origin even with the token', async () => {
    await expect(connect(bridge(), { cookie: host.cookie, origin: 'http://evil.example' })).rejects.toThrow('HTTP 401');
  });

  it('refuses photos without the token', async () => {
    const res = await fetch(`${host.origin}/photos/${'a'.repeat(64)}`);
    expect(res.status).toBe(401);
  });

  it('with the token: answers requests, names the bad field of a malformed payload, and keeps running', async () => {
    const ws = await connect(bridge(), { cookie: host.cookie });
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

  it('the page URL with the token sets an HttpOnly cookie for this port and redirects to the clean address', async () => {
    const ok = await fetch(host.url, { redirect: 'manual' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/');
    expect(ok.headers.get('set-cookie')).toBe(`${host.cookie}; HttpOnly; SameSite=Strict; Path=/`);
    // A wrong token: the clean address, no cookie; the page there says what to do.
    const bad = await fetch(`${host.origin}/?token=nope`, { redirect: 'manual' });
    expect(bad.status).toBe(303);
    expect(bad.headers.get('set-cookie')).toBeNull();
    expect((await fetch(`${host.origin}/session`)).status).toBe(401);
    expect((await fetch(`${host.origin}/session`, { headers: { cookie: host.cookie } })).status).toBe(204);
  });
});

describe('malformed requests are answered 400 and the station keeps serving taps', () => {
  it.each([
    ['a path that does not decode', () => `GET /%E0%A4%A HTTP/1.1\r\n${hostHeader()}\r\n\r\n`, 400],
    ['a photo path that does not decode', () => `GET /photos/%E0%A4%A HTTP/1.1\r\n${hostHeader()}\r\n\r\n`, 400],
    ['a malformed cookie', () => `GET /photos/${'a'.repeat(64)} HTTP/1.1\r\n${hostHeader()}\r\nCookie: ${host.cookie.split('=')[0]}=%E0%A4%A\r\n\r\n`, 400],
    ['an absolute target that does not parse', () => `GET http://[::1 HTTP/1.1\r\n${hostHeader()}\r\n\r\n`, 400],
    ['an absolute target at all', () => `GET http://127.0.0.1/ HTTP/1.1\r\n${hostHeader()}\r\n\r\n`, 400],
    ['a target that parses as another host (a login redirected away)', () => `GET /\\evil.example/?token=x HTTP/1.1\r\n${hostHeader()}\r\n\r\n`, 400],
    ['another name for this computer (DNS rebinding)', () => 'GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n', 400],
    ['a broken Host header', () => 'GET / HTTP/1.1\r\nHost: [::1\r\n\r\n', 400],
    ['no Host header', () => 'GET / HTTP/1.1\r\n\r\n', 400],
    ['an unknown method', () => `BREW / HTTP/1.1\r\n${hostHeader()}\r\n\r\n`, 400],
    ['a method the host does not serve', () => `DELETE / HTTP/1.1\r\n${hostHeader()}\r\n\r\n`, 405],
    ['a broken request line', () => 'GET\r\n\r\n', 400],
    ['a header over the limit', () => `GET / HTTP/1.1\r\n${hostHeader()}\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`, 431],
    [
      'an upgrade with a path that does not decode',
      () => `GET /%E0%A4%A HTTP/1.1\r\n${hostHeader()}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
      400,
    ],
    ['an upgrade with a broken target', () => `GET http://[::1 HTTP/1.1\r\n${hostHeader()}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`, 400],
    ['an upgrade for another name', () => 'GET /bridge HTTP/1.1\r\nHost: evil.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n', 400],
    [
      'an upgrade with a malformed cookie',
      () =>
        `GET /bridge HTTP/1.1\r\n${hostHeader()}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: ${host.cookie.split('=')[0]}=%E0\r\n\r\n`,
      400,
    ],
  ])('%s', async (_what, request, status) => {
    expect(await raw(request())).toBe(status);
    await tapStillServed();
  });

  it('a non-JSON, an oversized and a flood of messages: answered or the socket closed, never the station', async () => {
    const ws = await connect(bridge(), { cookie: host.cookie });
    expect(await ask(ws, Buffer.from([0xff, 0xfe, 0x00]).toString('latin1'))).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
    expect(await ask(ws, '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]')).toMatchObject({
      ok: false,
      error: { code: 'invalid_message' },
    });
    const closed = new Promise<number>((ok) => ws.once('close', (code) => ok(code)));
    ws.send('x'.repeat(2 * 1024 * 1024));
    expect(await closed).toBe(1009);

    const flood = await connect(bridge(), { cookie: host.cookie });
    const floodClosed = new Promise<number>((ok) => flood.once('close', (code) => ok(code)));
    const msg = JSON.stringify({ t: 'req', id: 1, name: 'station.getStatus', input: {} });
    for (let i = 0; i < 3000; i++) flood.send(msg);
    expect(await floodClosed).toBe(1008);
    await tapStillServed();
  });

  it('connections are capped: beyond the cap a new one is refused and the open ones still work', async () => {
    const open: WebSocket[] = [];
    let refused: Error | null = null;
    for (let i = 0; i < 40 && !refused; i++) {
      try {
        open.push(await connect(bridge(), { cookie: host.cookie }));
      } catch (err) {
        refused = err as Error;
      }
    }
    expect(refused?.message).toBe('HTTP 503');
    expect(open.length).toBeLessThanOrEqual(32);
    expect(await ask(open[0]!, { t: 'req', id: 9, name: 'settings.get', input: {} })).toMatchObject({ ok: true });
    for (const ws of open) ws.close();
    await new Promise((r) => setTimeout(r, 200));
    await tapStillServed();
  });
});

describe('the customer display has its own narrow channel', () => {
  it('its own token: the operator cookie does not open it, its cookie does not open the bridge', async () => {
    await expect(connect(customerBridge(), { cookie: host.cookie })).rejects.toThrow('HTTP 401');
    await expect(connect(bridge(), { cookie: host.customerCookie })).rejects.toThrow('HTTP 401');
    const login = await fetch(host.customerUrl, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/customer');
    expect(login.headers.get('set-cookie')).toBe(`${host.customerCookie}; HttpOnly; SameSite=Strict; Path=/customer`);
    // The customer's cookie reaches no photo.
    expect((await fetch(`${host.origin}/photos/${'a'.repeat(64)}`, { headers: { cookie: host.customerCookie } })).status).toBe(401);
  });

  it('over a demo tap and a sale it receives the cart, the total and the verdict only; settings.update is refused', async () => {
    const school = generateDemoSchool({ students: 30, date: '2026-01-01', now: new Date().toISOString() });
    const operator = await connect(bridge(), { cookie: host.cookie });
    await asIt(
      (name, input) => call(operator, name, input),
      () => call(operator, 'settings.update', { mode: 'cashier', readers: [{ id: 'demo', kind: 'simulated', role: 'cashier' }] }),
    );
    const { ws: customer, frames } = await connectRecorded(customerBridge(), { cookie: host.customerCookie });
    await expect.poll(() => frames.length, { timeout: 10_000 }).toBeGreaterThan(0);

    const cashier = school.staff.find((s) => s.roles.includes('cashier'))!;
    await call(operator, 'cashier.openShift', { staffId: cashier.id, pin: cashier.pin });
    // A student with a parents' note and allergies: what the queue must never see.
    const account = school.accounts.find((a) => a.parentNote && a.allergens.length > 0 && a.subsidy === 'none')!;
    const student = school.students.find((s) => s.id === account.holderId)!;
    const card = school.cards.find((c) => c.holderId === student.id && c.status === 'active')!;
    await call(operator, 'cashier.cart.add', { itemId: 'M08' });
    const check = nextEvent(operator, 'cashier.check');
    await call(operator, 'demo.tap', { readerId: 'demo', technology: card.technology, uid: card.uid });
    const { checkId } = (await check) as { checkId: string };
    await expect.poll(() => frames.some((f) => (f.payload as { display?: { state?: string } })?.display?.state === 'checking'), { timeout: 10_000 }).toBe(true);
    const result = await call<{ ok: boolean }>(operator, 'cashier.confirm', { checkId, saleId: uuidv7() });
    expect(result.ok).toBe(true);
    await expect.poll(() => frames.some((f) => (f.payload as { display?: { state?: string } })?.display?.state === 'paid'), { timeout: 10_000 }).toBe(true);

    // Asking anything, settings included, is refused and changes nothing.
    expect(await ask(customer, { t: 'req', id: 7, name: 'settings.update', input: { locale: 'en', kiosk: false } })).toMatchObject({
      id: 7,
      ok: false,
      error: { code: 'refused' },
    });
    expect(await ask(customer, { t: 'req', id: 8, name: 'demo.listCards', input: {} })).toMatchObject({ ok: false, error: { code: 'refused' } });
    expect(await call(operator, 'settings.get')).toMatchObject({ locale: 'ru' });

    const text = JSON.stringify(frames);
    for (const f of frames) {
      if (f.t === 'evt') {
        expect(f.name).toBe('customer.view');
        expect(Object.keys(f.payload as object).sort()).toEqual(['display', 'locale']);
      } else expect(f).toMatchObject({ t: 'res', ok: false, error: { code: 'refused' } });
    }
    for (const secret of [
      student.fullName,
      ...student.fullName.split(' '),
      account.parentNote!,
      ...account.allergens,
      'data:image',
      'photo',
      'balance',
      String(account.balance),
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('Яблоко');
    operator.close();
    customer.close();
  });
});
