/**
 * The reference server spoken to over HTTP as a station and as the school's administrator do, for the
 * tests that check what the backend does with what it is sent (a station's push, the admin's lists).
 */
import { expect } from 'vitest';
import { EventsBatchResponse, type PushResult } from '../../common/sync-api.ts';
import type { RunningServer } from '../../server/index.ts';

/** Enrolls a station of `role` under `name` with a fresh code; its token. */
export async function enrollOverHttp(server: RunningServer, role: 'guard' | 'cashier', name: string): Promise<string> {
  const { code } = await server.repo.createEnrollmentCode(role);
  const r = await fetch(`${server.url}/v1/stations/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, stationName: name }),
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { token: string }).token;
}

/** One push of `events` with a station's token; the answers, one per event in order. */
export async function pushOverHttp(server: RunningServer, token: string, events: unknown[]): Promise<PushResult[]> {
  const res = await fetch(`${server.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ events }),
  });
  expect(res.status).toBe(200);
  const results = EventsBatchResponse.parse(await res.json()).results;
  expect(results.map((r) => r.id)).toEqual(events.map((e) => (e as { id: string }).id));
  return results;
}

/** An admin request with the admin's token: its status and JSON body. */
export async function adminOverHttp(
  server: RunningServer,
  admin: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${admin}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as unknown };
}
