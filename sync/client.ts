/**
 * The station's HTTP client for the backend (docs/architecture.md): axios over keep-alive agents, every reply
 * parsed with the shared zod schemas, every failure turned into a SyncError the loops can act on.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import { z } from 'zod';
import type { StationEvent } from '../common/events.ts';
import {
  ApiError,
  EnrollResponse,
  EventsBatchResponse,
  MenuResponse,
  TimeResponse,
  parseDayReply,
  type DayReply,
  photoPath,
  type EventsBatchResponse as EventsBatchResponseT,
  type MenuResponse as MenuResponseT,
  type PushResult,
  type RosterPage as RosterPageT,
  type SkippedRosterRow,
  parseRosterPage,
  type TimeResponse as TimeResponseT,
} from '../common/sync-api.ts';
import { SyncError, parseRetryAfter } from './errors.ts';

export interface ClientOptions {
  baseUrl: string;
  /** The station's bearer token (absent before enrollment). */
  token?: string | null;
  /** A request with no reply byte for this long fails as a timeout. */
  timeoutMs?: number;
  /** Parallel connections to the backend (photos are fetched in parallel). */
  maxSockets?: number;
}

export interface PhotoReply {
  bytes: Buffer;
  etag: string | null;
}

export interface BackendClient {
  readonly baseUrl: string;
  enroll(code: string, stationName: string, signal?: AbortSignal): Promise<z.infer<typeof EnrollResponse>>;
  time(signal?: AbortSignal): Promise<TimeResponseT>;
  /** `skipped`: rows of the page that did not parse, left out of it. */
  roster(since: string | null, limit?: number, signal?: AbortSignal): Promise<RosterPageT & { skipped?: SkippedRosterRow[] }>;
  /** null when the server answers 304 to `etag`. */
  photo(hash: string, etag?: string | null, signal?: AbortSignal): Promise<PhotoReply | null>;
  menu(date: string, signal?: AbortSignal): Promise<MenuResponseT>;
  pushEvents(events: readonly StationEvent[], signal?: AbortSignal): Promise<PushResult[]>;
  /** The school day's facts from the other stations after `since`; the backend holds it up to `waitSeconds`. */
  day(since: string | null, waitSeconds: number, signal?: AbortSignal): Promise<{ reply: DayReply; skipped: number }>;
  /** A batch made for the backend `backendId` (a backend that is another refuses each event); the reply names the backend. */
  push(events: readonly StationEvent[], options?: { backendId?: string | null; signal?: AbortSignal }): Promise<EventsBatchResponseT>;
  close(): void;
}

function classify(err: unknown, what: string): SyncError {
  if (err instanceof SyncError) return err;
  if (axios.isCancel(err) || (err as { name?: string }).name === 'CanceledError' || (err as { name?: string }).name === 'AbortError') {
    return new SyncError('timeout', `${what}: cancelled`, { cause: err });
  }
  const e = err as AxiosError;
  const code = e.code ?? '';
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED' || /timeout/i.test(e.message)) {
    return new SyncError('timeout', `${what}: the backend did not answer in time`, { cause: err });
  }
  return new SyncError('network', `${what}: cannot reach the backend (${code || e.message})`, { cause: err });
}

function fromStatus(res: AxiosResponse, what: string): SyncError {
  const body = ApiError.safeParse(safeJson(res.data));
  const detail = body.success ? body.data.message : `HTTP ${res.status}`;
  const retryAfterMs = parseRetryAfter(res.headers['retry-after'] as string | undefined);
  if (res.status === 401)
    return new SyncError('unauthorized', `${what}: the backend refused the station's token (${detail}); enroll the station again`, { status: 401 });
  if (res.status === 403 && body.success && body.data.error === 'invalid_code') return new SyncError('invalid_code', `${what}: ${detail}`, { status: 403 });
  if (res.status === 429 || res.status === 503)
    return new SyncError('rate_limited', `${what}: the backend is busy (${detail})`, { status: res.status, retryAfterMs });
  return new SyncError('server_error', `${what}: the backend answered ${res.status} (${detail})`, { status: res.status, retryAfterMs });
}

function safeJson(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return undefined;
  }
}

function parseBody<S extends z.ZodType>(res: AxiosResponse, schema: S, what: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(String(res.data));
  } catch {
    throw new SyncError('bad_reply', `${what}: the backend's reply is not JSON (${String(res.data).slice(0, 60)})`, { status: res.status });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new SyncError('bad_reply', `${what}: the backend's reply does not match the contract (${parsed.error.issues[0]?.message ?? ''})`, {
      status: res.status,
    });
  return parsed.data;
}

export function createBackendClient(options: ClientOptions): BackendClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 8, keepAliveMsecs: 10_000, timeout: 60_000 };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const ax: AxiosInstance = axios.create({
    baseURL: baseUrl,
    timeout: timeoutMs,
    httpAgent,
    httpsAgent,
    // Replies are parsed here, never silently: garbage must be seen as garbage.
    responseType: 'text',
    transformResponse: [(d: unknown) => d],
    validateStatus: () => true,
    maxRedirects: 0,
    maxContentLength: 64 * 1024 * 1024,
    maxBodyLength: 64 * 1024 * 1024,
    headers: { 'user-agent': 'school-station-sync/1' },
  });
  const auth = () => (options.token ? { authorization: `Bearer ${options.token}` } : {});

  async function call<S extends z.ZodType>(
    what: string,
    schema: S,
    config: {
      method: 'GET' | 'POST';
      url: string;
      params?: Record<string, string | number>;
      data?: unknown;
      signal?: AbortSignal | undefined;
      timeoutMs?: number;
    },
  ): Promise<z.output<S>> {
    let res: AxiosResponse;
    const limitMs = config.timeoutMs ?? timeoutMs;
    try {
      res = await ax.request({
        method: config.method,
        url: config.url,
        timeout: limitMs,
        ...(config.params ? { params: config.params } : {}),
        ...(config.data !== undefined
          ? { data: JSON.stringify(config.data), headers: { ...auth(), 'content-type': 'application/json' } }
          : { headers: auth() }),
        // A deadline on the whole exchange, besides axios's idle timeout: a trickling reply cannot hold us forever.
        signal: config.signal ? AbortSignal.any([config.signal, AbortSignal.timeout(limitMs * 2)]) : AbortSignal.timeout(limitMs * 2),
      });
    } catch (err) {
      throw classify(err, what);
    }
    if (res.status < 200 || res.status >= 300) throw fromStatus(res, what);
    return parseBody(res, schema, what);
  }

  return {
    baseUrl,
    enroll: (code, stationName, signal) => call('enroll', EnrollResponse, { method: 'POST', url: '/v1/stations/enroll', data: { code, stationName }, signal }),
    time: (signal) => call('time', TimeResponse, { method: 'GET', url: '/v1/time', signal }),
    async roster(since, limit, signal) {
      // Rows are checked one by one (common/sync-api.ts parseRosterPage): a bad row is skipped, not the page.
      const json = await call('roster', z.unknown(), {
        method: 'GET',
        url: '/v1/roster',
        params: { ...(since ? { since } : {}), ...(limit ? { limit } : {}) },
        signal,
      });
      const parsed = parseRosterPage(json);
      if (!parsed.success)
        throw new SyncError('bad_reply', `roster: the backend's reply does not match the contract (${parsed.error.issues[0]?.message ?? ''})`);
      return parsed.skipped.length ? { ...parsed.page, skipped: parsed.skipped } : parsed.page;
    },
    menu: (date, signal) => call('menu', MenuResponse, { method: 'GET', url: '/v1/menu', params: { date }, signal }),
    async pushEvents(events, signal) {
      const { results } = await call('push', EventsBatchResponse, { method: 'POST', url: '/v1/events', data: { events }, signal });
      return results;
    },
    async day(since, waitSeconds, signal) {
      // The backend holds the request up to waitSeconds: the deadline is that plus the usual one.
      const json = await call('day', z.unknown(), {
        method: 'GET',
        url: '/v1/day',
        params: { ...(since ? { since } : {}), wait: waitSeconds },
        signal,
        timeoutMs: waitSeconds * 1000 + timeoutMs,
      });
      const parsed = parseDayReply(json);
      if (!parsed.success) throw new SyncError('bad_reply', `day: the backend's reply does not match the contract (${parsed.error.issues[0]?.message ?? ''})`);
      return { reply: parsed.reply, skipped: parsed.skipped };
    },
    push: (events, o = {}) =>
      call('push', EventsBatchResponse, {
        method: 'POST',
        url: '/v1/events',
        data: { events, ...(o.backendId ? { backendId: o.backendId } : {}) },
        signal: o.signal,
      }),
    async photo(hash, etag, signal) {
      let res: AxiosResponse<ArrayBuffer>;
      try {
        res = await ax.get<ArrayBuffer>(photoPath(hash), {
          responseType: 'arraybuffer',
          transformResponse: undefined,
          headers: { ...auth(), ...(etag ? { 'if-none-match': etag } : {}) },
          signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs * 2)]) : AbortSignal.timeout(timeoutMs * 2),
        });
      } catch (err) {
        throw classify(err, 'photo');
      }
      if (res.status === 304) return null;
      if (res.status < 200 || res.status >= 300) {
        throw fromStatus({ ...res, data: Buffer.from(res.data).toString('utf8') }, `photo ${hash.slice(0, 12)}`);
      }
      return { bytes: Buffer.from(res.data), etag: (res.headers.etag as string | undefined) ?? null };
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
