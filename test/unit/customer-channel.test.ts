/**
 * The customer display's channel as Electron serves it: main hands the station a MessagePort marked
 * `customer`. The port here is a stand-in for Electron's MessagePortMain (this machine has no
 * Electron); the router, its contract checks and the channel are the real ones.
 */
import { describe, expect, it } from 'vitest';
import { Settings } from '../../common/settings.ts';
import { bridgeContract } from '../../common/contract/index.ts';
import { Router } from '../../common/contract/router.ts';
import { servePorts, type ParentPort, type StationPort } from '../../core/bridge/port-transport.ts';
import { silentLogger } from '../../node/logger.ts';
import { windowChannel } from '../../main/window-options.ts';

function fakeElectronPort(): StationPort & { sent: unknown[]; deliver(data: unknown): void } {
  const listeners: ((e: { data: unknown }) => void)[] = [];
  return {
    sent: [],
    on(event: string, listener: (e: { data: unknown }) => void) {
      if (event === 'message') listeners.push(listener);
      return this;
    },
    postMessage(m: unknown) {
      this.sent.push(m);
    },
    start() {},
    deliver(data) {
      for (const l of listeners) l({ data });
    },
  } as StationPort & { sent: unknown[]; deliver(data: unknown): void };
}

function fakeElectronParent(): ParentPort & { connect(type: string, port: StationPort): void } {
  let onMessage: ((e: { data: unknown; ports: StationPort[] }) => void) | null = null;
  return {
    on(_event, listener) {
      onMessage = listener;
      return this;
    },
    postMessage() {},
    connect(type, port) {
      onMessage?.({ data: { type, windowId: 2 }, ports: [port] });
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

describe('the customer display’s own port (Electron)', () => {
  it('gets the projection only, never another event, and every request it sends is refused', async () => {
    const router = new Router(bridgeContract, silentLogger());
    let settingsChanged = 0;
    router.handle('settings.get', () => Settings.parse({ locale: 'en' }));
    router.handle('settings.update', () => {
      settingsChanged++;
      return Settings.parse({});
    });
    router.handle('cashier.display', () => ({ state: 'idle', lines: [], total: 0 }));
    const parent = fakeElectronParent();
    servePorts(parent, router, silentLogger());
    const customer = fakeElectronPort();
    const operator = fakeElectronPort();
    parent.connect('customer', customer);
    parent.connect('connect', operator);
    await tick();
    expect(customer.sent).toEqual([{ t: 'evt', name: 'customer.view', payload: { display: { state: 'idle', lines: [], total: 0 }, locale: 'en' } }]);

    // A tap: the operator's window is told who it was; the customer display is not.
    router.publish('card.presented', {
      read: { readerId: 'till', technology: 'iso14443', uid: '04A1B2C3D4E5F6', raw: '04A1B2C3D4E5F6', at: '2026-09-01T06:00:00.000Z' },
      card: { status: 'active', validUntil: null },
      holder: { kind: 'student', id: 'S1', fullName: 'Иванова Анна Сергеевна', group: '5А', photoHash: 'a'.repeat(64) },
      randomUid: false,
    });
    router.publish('cashier.display', { state: 'checking', lines: [{ name: 'Яблоко', quantity: 1, amount: 20_00 }], total: 20_00 });
    await tick();
    expect(JSON.stringify(operator.sent)).toContain('Иванова Анна Сергеевна');
    expect(JSON.stringify(customer.sent)).not.toContain('Иванова');
    expect(customer.sent.at(-1)).toEqual({
      t: 'evt',
      name: 'customer.view',
      payload: { display: { state: 'checking', lines: [{ name: 'Яблоко', quantity: 1, amount: 20_00 }], total: 20_00 }, locale: 'en' },
    });

    customer.deliver({ t: 'req', id: 5, name: 'settings.update', input: { kiosk: false } });
    customer.deliver('not even an object');
    await tick();
    expect(customer.sent.slice(-2)).toEqual([
      { t: 'res', id: 5, ok: false, error: { code: 'refused', message: 'the customer display makes no requests' } },
      { t: 'res', id: -1, ok: false, error: { code: 'refused', message: 'the customer display makes no requests' } },
    ]);
    expect(settingsChanged).toBe(0);
    // The operator's port is the bridge: the same request there is served.
    operator.deliver({ t: 'req', id: 6, name: 'settings.update', input: { kiosk: false } });
    await tick();
    expect(settingsChanged).toBe(1);
  });

  it('follows the station’s language as the settings change, without asking the station again', async () => {
    const router = new Router(bridgeContract, silentLogger());
    let reads = 0;
    router.handle('settings.get', () => {
      reads++;
      return Settings.parse({ locale: 'ru' });
    });
    router.handle('cashier.display', () => ({ state: 'idle', lines: [], total: 0 }));
    const parent = fakeElectronParent();
    servePorts(parent, router, silentLogger());
    const customer = fakeElectronPort();
    parent.connect('customer', customer);
    await tick();
    expect(customer.sent.map((m) => (m as { payload: { locale: string } }).payload.locale)).toEqual(['ru']);

    router.publish('settings.changed', Settings.parse({ locale: 'en' }));
    await tick();
    expect(customer.sent.at(-1)).toEqual({ t: 'evt', name: 'customer.view', payload: { display: { state: 'idle', lines: [], total: 0 }, locale: 'en' } });
    // Another setting changed: the view is the same, so nothing is sent, and nothing was read again.
    router.publish('settings.changed', Settings.parse({ locale: 'en', kiosk: true }));
    await tick();
    expect(customer.sent).toHaveLength(2);
    expect(reads).toBe(1);
  });

  it('main gives the customer window its own preload and channel, never the bridge', () => {
    expect(windowChannel('customer')).toEqual({ preload: 'customer.cjs', connect: 'customer', channel: 'customer:port' });
    expect(windowChannel('operator')).toEqual({ preload: 'index.cjs', connect: 'connect', channel: 'station:port' });
  });
});
