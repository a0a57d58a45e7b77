/**
 * One school with several stations: the reference server on loopback and each station a real station
 * process (under the browser host, as `npm start` runs it), enrolled to the server under its own name
 * and role, driven over its WebSocket bridge. A station may reach the server through a `Link` (a TCP
 * relay on loopback) whose network can be dropped and restored. Used by the several-stations test and
 * the cross-station benchmarks.
 */
import { mkdirSync } from 'node:fs';
import { createServer, connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { StationRole } from '../../common/events.ts';
import { startBrowserHost, type BrowserHost } from '../../host/browser-host.ts';
import type { Repo } from '../../server/repo.ts';
import { fileTokenVault } from '../../sync/token-vault.ts';
import { asIt } from './it-session.ts';

/** A TCP relay in front of the server: `drop()` cuts every connection and refuses new ones until `restore()`. */
export interface Link {
  readonly url: string;
  drop(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startLink(upstream: string): Promise<Link> {
  const target = new URL(upstream);
  const sockets = new Set<Socket>();
  let down = false;
  const server = createServer((client) => {
    if (down) return client.destroy();
    const up = tcpConnect(Number(target.port), target.hostname);
    sockets.add(client).add(up);
    const end = () => {
      client.destroy();
      up.destroy();
      sockets.delete(client);
      sockets.delete(up);
    };
    client.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
    client.pipe(up).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    drop() {
      down = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface BridgeEvent {
  name: string;
  payload: unknown;
  atMs: number;
}

export interface RigStation {
  name: string;
  role: StationRole;
  stationId: string;
  dataDir: string;
  host: BrowserHost;
  /** Null when the station talks to the server directly. */
  link: Link | null;
  /** One bridge request; throws with the bridge error on a refusal. */
  ask<T = unknown>(name: string, input?: unknown): Promise<T>;
  /** Calls `fn` with every bridge event the station publishes; returns the unsubscribe. */
  on(fn: (e: BridgeEvent) => void): () => void;
  close(): Promise<void>;
}

/** The station's settings for its role: a guard post with an entry and an exit reader, a till with a cashier reader. */
const READERS = {
  guard: [
    { id: 'in', kind: 'simulated', role: 'entry' },
    { id: 'out', kind: 'simulated', role: 'exit' },
  ],
  cashier: [{ id: 'till', kind: 'simulated', role: 'cashier' }],
} as const;

/**
 * Starts one station process enrolled to the server (directly through the repository, under `name`),
 * set to its role's mode and readers.
 */
export async function startRigStation(options: {
  repo: Repo;
  serverUrl: string;
  dir: string;
  name: string;
  role: StationRole;
  /** Put a droppable link between this station and the server. */
  link?: boolean;
  env?: Record<string, string>;
}): Promise<RigStation> {
  const dataDir = join(options.dir, options.name.replace(/[^\p{L}\p{N}]+/gu, '-'));
  mkdirSync(dataDir, { recursive: true });
  const link = options.link ? await startLink(options.serverUrl) : null;
  const baseUrl = link?.url ?? options.serverUrl;
  const { code } = await options.repo.createEnrollmentCode(options.role);
  const enrolled = await options.repo.enroll(code, options.name);
  if (!enrolled) throw new Error('enrollment failed');
  await fileTokenVault(join(dataDir, 'backend-token.json')).save({
    baseUrl,
    stationId: enrolled.stationId,
    token: enrolled.token,
    enrolledAt: new Date().toISOString(),
    schoolName: '',
  });
  const host = await startBrowserHost({ dataDir, staticDir: dataDir, env: { STATION_BACKEND_URL: baseUrl, ...options.env } });
  // The bridge takes the session cookie the page's first load sets (the host's token), as a tab does.
  const ws = new WebSocket(`${host.origin.replace('http', 'ws')}/bridge`, { headers: { cookie: host.cookie } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Set<(e: BridgeEvent) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as { t: string; id?: number; ok?: boolean; output?: unknown; error?: unknown; name?: string; payload?: unknown };
    if (m.t === 'evt') {
      const e = { name: m.name!, payload: m.payload, atMs: performance.timeOrigin + performance.now() };
      for (const l of listeners) l(e);
      return;
    }
    const w = waiting.get(m.id!);
    if (!w) return;
    waiting.delete(m.id!);
    if (m.ok) w.resolve(m.output);
    else w.reject(new Error(`${options.name}: ${JSON.stringify(m.error)}`));
  });
  const ask = <T>(name: string, input: unknown = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ t: 'req', id, name, input }));
    });
  // The on-screen demo reader exists only in a demo school: the station learns that its backend serves
  // one (seedDemoSchool marks it) from its first roster page, then takes the simulated readers.
  await eventually(async () => (await ask<{ demo: boolean }>('station.getStatus')).demo, `${options.name} knows its backend serves the demo school`, 60_000);
  await asIt(ask, () => ask('settings.update', { mode: options.role, stationName: options.name, readers: READERS[options.role] }));
  return {
    name: options.name,
    role: options.role,
    stationId: enrolled.stationId,
    dataDir,
    host,
    link,
    ask,
    on(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async close() {
      ws.close();
      await host.stop();
      await link?.close();
    },
  };
}

/** Waits until `check` holds, polling every 10 ms; throws with `what` after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
