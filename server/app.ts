/**
 * The reference backend's HTTP surface. Every route is declared once in `routes` with its zod
 * schemas: the same table registers the Fastify handlers, validates requests and builds /openapi.json.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  ApiError,
  CsvImportRequest,
  DailyLimitRequest,
  EnrollmentCodeRequest,
  EnrollmentCodeResponse,
  EnrollRequest,
  EnrollResponse,
  EventsBatchRequest,
  EventsBatchResponse,
  ForbiddenCategoriesRequest,
  ImportReport,
  LostCardRequest,
  MenuQuery,
  MenuResponse,
  Ok,
  PhotoParams,
  RosterPage,
  RosterQuery,
  StaffPinRequest,
  StaffPinResponse,
  StationView,
  SubsidyRequest,
  TimeResponse,
  TopUpRequest,
  AccountView,
  SpareCardAddRequest,
  SpareCardAdminView,
  SpareCardRef,
  SpareCardRemoveResponse,
  StationRoleRequest,
  ExceptionsQuery,
  ExceptionView,
  ResolveExceptionRequest,
  SchoolSettings,
  SchoolSettingsPatch,
  DayQuery,
  DayReply,
  RemovePersonRequest,
  RemovePersonResponse,
  PhotoConsentRequest,
  PhotoConsentResponse,
} from '../common/sync-api.ts';
import { Card, CardRef } from '../common/domain.ts';
import { addSpareCard, importMenuCsv, importStaffCsv, importStudentsCsv, removeSpareCard, setStaffPin } from './admin.ts';
import { NotFound, type Repo, type StationRow } from './repo.ts';
import { releasesPlugin } from './releases/plugin.ts';
import { EnrollGuard, type EnrollGuardOptions } from './enroll-guard.ts';
import { ResolveRefused } from './exceptions.ts';

type Auth = 'none' | 'station' | 'admin';

/** What a handler gets: the parsed body, query and params, typed from the route's own schemas. */
interface Ctx<A extends Auth, B, Q, P> {
  body: B;
  query: Q;
  params: P;
  /** The authenticated station on a station route. */
  station: A extends 'station' ? StationRow : null;
  req: FastifyRequest;
  reply: FastifyReply;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteDef {
  method: 'GET' | 'POST';
  /** Fastify form: `/v1/photos/:hash`. */
  url: string;
  summary: string;
  auth: Auth;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** Largest body read (bytes); the body is read only after the token was checked. */
  bodyLimit?: number;
  /** The 200 reply; 'binary' for a photo. */
  response: z.ZodType | 'binary';
  handler: (ctx: Ctx<Auth, unknown, unknown, unknown>) => Promise<unknown>;
}

/**
 * Declares a route: its handler sees the body, query and params as its schemas parse them, so no
 * handler casts what it was given.
 */
function route<
  A extends Auth,
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
>(def: {
  method: RouteDef['method'];
  url: string;
  summary: string;
  auth: A;
  body?: B;
  query?: Q;
  params?: P;
  bodyLimit?: number;
  response: RouteDef['response'];
  handler: (ctx: Ctx<A, Out<B>, Out<Q>, Out<P>>) => Promise<unknown>;
}): RouteDef {
  return def as unknown as RouteDef;
}

/** Body limits: an enrollment is tiny, a batch of 1,000 events a few megabytes, imports with photos apart. */
const KB = 1024;
export const BODY_LIMITS = { enroll: 4 * KB, events: 8 * KB * KB, admin: 1 * KB * KB, imports: 256 * KB * KB } as const;

const ROSTER_PAGE_DEFAULT = 1000;

function routesFor(repo: Repo, schoolName: string | undefined, enrollGuard: EnrollGuard): RouteDef[] {
  // The name given at start (serve --school-name) wins over the stored one.
  const identity = async () => {
    const id = await repo.identity();
    return schoolName ? { ...id, schoolName } : id;
  };
  const fromBase64 = (photos: Record<string, string>) => (name: string) => (photos[name] ? Buffer.from(photos[name], 'base64') : null);
  return [
    route({
      method: 'POST',
      url: '/v1/stations/enroll',
      summary: 'Enroll a station with a one-time code; returns its token (shown once).',
      auth: 'none',
      body: EnrollRequest,
      bodyLimit: BODY_LIMITS.enroll,
      response: EnrollResponse,
      async handler({ body, req, reply }) {
        const r = await repo.enroll(body.code, body.stationName);
        if (!r) {
          const delayMs = enrollGuard.failed(req.ip);
          req.log.warn({ ip: req.ip, nextDelayMs: delayMs }, 'enrollment refused: unknown, used or expired code');
          return reply.code(403).send({ error: 'invalid_code', message: 'the enrollment code is unknown, used or expired' } satisfies ApiError);
        }
        enrollGuard.succeeded(req.ip);
        req.log.info({ stationId: r.stationId, role: r.role, name: body.stationName }, 'station enrolled');
        const backend = await identity();
        return { stationId: r.stationId, token: r.token, schoolName: backend.schoolName, backend };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/roster',
      summary: 'Roster changes after a cursor: students, staff, cards, accounts and tombstones, in revision order.',
      auth: 'station',
      query: RosterQuery,
      response: RosterPage,
      async handler({ query }) {
        const q = query;
        return { ...(await repo.rosterPage(Number(q.since ?? 0), q.limit ?? ROSTER_PAGE_DEFAULT)), backend: await identity() };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/photos/:hash',
      summary: 'A portrait by its content hash (sha256); the hash is its ETag.',
      auth: 'station',
      params: PhotoParams,
      response: 'binary',
      async handler({ params, req, reply }) {
        const { hash } = params;
        const etag = `"${hash}"`;
        reply.header('etag', etag).header('cache-control', 'private, max-age=31536000, immutable');
        if (req.headers['if-none-match'] === etag) return reply.code(304).send();
        const photo = await repo.photo(hash);
        if (!photo) return reply.code(404).send({ error: 'not_found', message: `no photo ${hash}` } satisfies ApiError);
        return reply.type(photo.mime).send(photo.bytes);
      },
    }),
    route({
      method: 'GET',
      url: '/v1/menu',
      summary: "A school day's menu.",
      auth: 'station',
      query: MenuQuery,
      response: MenuResponse,
      async handler({ query }) {
        const { date } = query;
        return { date, items: await repo.menu(date) };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/time',
      summary: "The server's clock, for the station's clock offset.",
      auth: 'station',
      response: TimeResponse,
      async handler() {
        const epochMs = Date.now();
        return { now: new Date(epochMs).toISOString(), epochMs };
      },
    }),
    route({
      method: 'POST',
      url: '/v1/events',
      summary: 'A batch of station events in station order; one result per event: accepted, duplicate, anomaly or invalid.',
      auth: 'station',
      body: EventsBatchRequest,
      bodyLimit: BODY_LIMITS.events,
      response: EventsBatchResponse,
      async handler({ body, station, req }) {
        const { events } = body;
        const backend = await identity();
        if (body.backendId !== undefined && body.backendId !== backend.id) {
          // Made for another backend (a station that was enrolled elsewhere): none of it is this school's.
          req.log.warn({ stationId: station.id, events: events.length, madeFor: body.backendId }, 'events batch refused: made for another backend');
          const message = `these events were made for another backend (${body.backendId}), not this one (${backend.id}); nothing was kept`;
          return {
            results: events.map((e) => ({ id: e.id, status: 'invalid' as const, code: 'wrong_backend' as const, rule: 'wrong_backend', message })),
            backend,
          };
        }
        if (!station.role) req.log.warn({ stationId: station.id }, 'station has no role yet (enrolled before roles): set one with set-station-role');
        const results = await repo.applyEvents({ id: station.id, role: station.role }, events);
        const tally: Record<string, number> = {};
        for (const r of results) tally[r.status] = (tally[r.status] ?? 0) + 1;
        req.log.info({ stationId: station.id, events: events.length, ...tally }, 'events batch');
        // The result's words name ids and amounts, never a child's name or card number.
        for (const r of results) if (r.status === 'invalid' || r.status === 'anomaly') req.log.warn({ stationId: station.id, ...r }, `event ${r.status}`);
        return { results, backend };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/day',
      summary:
        "Today's facts from the school's other stations after a cursor (passes; meal figures per child), with no names: answers at once when some wait, else holds up to `wait` seconds for the next.",
      auth: 'station',
      query: DayQuery,
      response: DayReply,
      async handler({ query, station, reply }) {
        const gone = new AbortController();
        reply.raw.once('close', () => gone.abort());
        return repo.day.poll(station.id, Number(query.since ?? 0), query.limit, query.wait * 1000, gone.signal);
      },
    }),
    // ── Administration ─────────────────────────────────────────────────────────────────────
    route({
      method: 'POST',
      url: '/v1/admin/enrollment-codes',
      summary: 'Issue a single-use station enrollment code.',
      auth: 'admin',
      body: EnrollmentCodeRequest,
      response: EnrollmentCodeResponse,
      handler: async ({ body }) => repo.createEnrollmentCode(body.role, body.ttlMinutes),
    }),
    route({
      method: 'POST',
      url: '/v1/admin/stations/:id/role',
      summary: "Set a station's role (guard or cashier); its token then sends only that role's events.",
      auth: 'admin',
      params: z.object({ id: z.string().min(1) }),
      body: StationRoleRequest,
      response: StationView,
      async handler({ params, body, req }) {
        const s = await repo.setStationRole(params.id, body.role);
        if (!s) throw new NotFound('no such station');
        req.log.info({ stationId: s.id, role: s.role }, 'station role set');
        return s;
      },
    }),
    route({
      method: 'GET',
      url: '/v1/admin/exceptions',
      summary: 'Exceptions (school-wide rules broken, often offline) with their events, child, stations and times; open ones by default.',
      auth: 'admin',
      query: ExceptionsQuery,
      response: z.array(ExceptionView),
      handler: async ({ query }) => repo.exceptions.list(query.status),
    }),
    route({
      method: 'POST',
      url: '/v1/admin/exceptions/:id/resolve',
      summary: 'Resolve an open exception once (charge as a paid meal, accept, void) with a note; corrects the balance through the ledger.',
      auth: 'admin',
      params: z.object({ id: z.string().min(1) }),
      body: ResolveExceptionRequest,
      response: ExceptionView,
      async handler({ params, body, req }) {
        const r = await repo.exceptions.resolve(params.id, body.resolution, body.note, body.by);
        req.log.info({ exception: r.id, resolution: r.resolution, correction: r.correction }, 'exception resolved');
        return r;
      },
    }),
    route({
      method: 'GET',
      url: '/v1/admin/school-settings',
      summary: "The school's settings (time zone, offline cap, subsidy share, release feed, retention); stations get them with the roster.",
      auth: 'admin',
      response: SchoolSettings,
      handler: async () => repo.schoolSettings(),
    }),
    route({
      method: 'POST',
      url: '/v1/admin/school-settings',
      summary: "Change some of the school's settings; the others keep their value.",
      auth: 'admin',
      body: SchoolSettingsPatch,
      response: SchoolSettings,
      async handler({ body, req }) {
        const next = await repo.updateSchoolSettings(body);
        req.log.info({ settings: next }, 'school settings changed');
        return next;
      },
    }),
    route({
      method: 'GET',
      url: '/v1/admin/stations',
      summary: 'Enrolled stations.',
      auth: 'admin',
      response: z.array(StationView),
      handler: async () => repo.stations(),
    }),
    route({
      method: 'POST',
      url: '/v1/admin/stations/:id/revoke',
      summary: "Revoke a station's token; its next request gets 401.",
      auth: 'admin',
      params: z.object({ id: z.string() }),
      response: Ok,
      async handler({ params }) {
        if (!(await repo.revokeStation(params.id))) throw new NotFound('no such station, or revoked already');
        return { ok: true };
      },
    }),
    route({
      method: 'POST',
      url: '/v1/admin/students/import',
      summary: 'Import students from CSV (id,full_name,class,photo,cards,status); photos as base64 by file name.',
      auth: 'admin',
      body: CsvImportRequest,
      bodyLimit: BODY_LIMITS.imports,
      response: ImportReport,
      handler: async ({ body }) => {
        return importStudentsCsv(repo, body.csv, fromBase64(body.photos));
      },
    }),
    route({
      method: 'POST',
      url: '/v1/admin/staff/import',
      summary: 'Import staff from CSV (id,full_name,position,roles,photo,cards,status,pin); a PIN is stored only hashed.',
      auth: 'admin',
      body: CsvImportRequest,
      bodyLimit: BODY_LIMITS.imports,
      response: ImportReport,
      handler: async ({ body }) => {
        return importStaffCsv(repo, body.csv, fromBase64(body.photos));
      },
    }),
    route({
      method: 'POST',
      url: '/v1/admin/staff/:id/pin',
      summary: "Set (null: clear) a staff member's PIN; stations get only its salted hash with the roster.",
      auth: 'admin',
      params: z.object({ id: z.string().min(1) }),
      body: StaffPinRequest,
      response: StaffPinResponse,
      handler: async ({ params, body }) => setStaffPin(repo, params.id, body.pin),
    }),
    route({
      method: 'POST',
      url: '/v1/admin/people/remove',
      summary: 'A pupil or employee leaves: cards, name, class, portrait and account details deleted; ledger and events keep a pseudonymous id.',
      auth: 'admin',
      body: RemovePersonRequest,
      response: RemovePersonResponse,
      handler: async ({ body }) => {
        const r = await repo.forgetPerson(body.kind, body.id);
        if (!r) throw new NotFound(`no ${body.kind} ${body.id}`);
        return { removed: true, ...r };
      },
    }),
    route({
      method: 'POST',
      url: '/v1/admin/people/photo-consent',
      summary: "Record a person's written photo consent; without it the portrait is deleted and never sent to stations.",
      auth: 'admin',
      body: PhotoConsentRequest,
      response: PhotoConsentResponse,
      handler: async ({ body }) => repo.updatePhotoConsent(body.kind, body.id, body.consent),
    }),
    route({
      method: 'POST',
      url: '/v1/admin/menu/import',
      summary: 'Import a menu from CSV (date,id,name,category,kind,price,allergens).',
      auth: 'admin',
      body: z.object({ csv: z.string() }),
      bodyLimit: BODY_LIMITS.imports,
      response: ImportReport,
      handler: async ({ body }) => importMenuCsv(repo, body.csv),
    }),
    route({
      method: 'POST',
      url: '/v1/admin/cards/block',
      summary: 'Block a card.',
      auth: 'admin',
      body: CardRef,
      response: Card,
      handler: async ({ body }) => {
        return repo.setCardStatus(body.technology, body.uid, 'blocked');
      },
    }),
    route({
      method: 'POST',
      url: '/v1/admin/cards/lost',
      summary: 'Mark a card lost and issue a temporary card to the same holder; the balance stays on the account.',
      auth: 'admin',
      body: LostCardRequest,
      response: Card,
      handler: async ({ body }) => {
        return repo.replaceLostCard(body.card, body.temporary, body.validUntil);
      },
    }),
    route({
      method: 'GET',
      url: '/v1/admin/spare-cards',
      summary: "The school's spare-card stock, each with the holder it is bound to right now (if any).",
      auth: 'admin',
      response: z.array(SpareCardAdminView),
      handler: async () => repo.spareCards(),
    }),
    route({
      method: 'POST',
      url: '/v1/admin/spare-cards',
      summary: 'Add a spare card to the stock (uid in any printed form; optional label); a card somebody owns is refused.',
      auth: 'admin',
      body: SpareCardAddRequest,
      response: SpareCardAdminView,
      handler: async ({ body, req }) => {
        const added = await addSpareCard(repo, body);
        req.log.info({ label: added.label }, 'spare card added to the stock');
        return added;
      },
    }),
    route({
      method: 'POST',
      url: '/v1/admin/spare-cards/remove',
      summary: 'Remove a spare card from the stock; one bound right now stays with its holder until returned or the day ends.',
      auth: 'admin',
      body: SpareCardRef,
      response: SpareCardRemoveResponse,
      handler: async ({ body, req }) => {
        const r = await removeSpareCard(repo, body);
        req.log.info({ label: r.removed.label, stillBound: r.stillBound }, 'spare card removed from the stock');
        return r;
      },
    }),
    route({
      method: 'GET',
      url: '/v1/admin/accounts/:holderId',
      summary: "An account with the server's balance.",
      auth: 'admin',
      params: z.object({ holderId: z.string() }),
      response: AccountView,
      async handler({ params }) {
        const a = await repo.account(params.holderId);
        if (!a) throw new NotFound('no such account');
        return a;
      },
    }),
    route({
      method: 'POST',
      url: '/v1/admin/accounts/top-up',
      summary: "Credit an account (stands in for a parent's payment).",
      auth: 'admin',
      body: TopUpRequest,
      response: AccountView,
      handler: async ({ body }) => {
        return repo.topUp(body.holderId, body.amount, body.note);
      },
    }),
    route({
      method: 'POST',
      url: '/v1/admin/accounts/daily-limit',
      summary: "Set the parents' daily limit (null: none).",
      auth: 'admin',
      body: DailyLimitRequest,
      response: AccountView,
      handler: async ({ body }) => {
        return repo.updateAccount(body.holderId, { dailyLimit: body.dailyLimit });
      },
    }),
    route({
      method: 'POST',
      url: '/v1/admin/accounts/forbidden-categories',
      summary: 'Set the menu categories the holder may not buy.',
      auth: 'admin',
      body: ForbiddenCategoriesRequest,
      response: AccountView,
      handler: async ({ body }) => {
        return repo.updateAccount(body.holderId, { forbiddenCategories: body.categories });
      },
    }),
    route({
      method: 'POST',
      url: '/v1/admin/accounts/subsidy',
      summary: 'Set the subsidy category (none, free, discounted).',
      auth: 'admin',
      body: SubsidyRequest,
      response: AccountView,
      handler: async ({ body }) => {
        return repo.updateAccount(body.holderId, { subsidy: body.subsidy });
      },
    }),
  ];
}

/** The OpenAPI 3.1 document, generated from the same route table and zod schemas. */
export function openApiDocument(routes: readonly RouteDef[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const js = (s: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' });
  const errorSchema = js(ApiError, 'output');
  for (const r of routes) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['query', r.query],
      ['path', r.params],
    ] as const) {
      if (!schema) continue;
      const obj = js(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(obj.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (obj.required ?? []).includes(name), schema: s });
      }
    }
    const ok =
      r.response === 'binary'
        ? {
            description: 'The image bytes',
            headers: { ETag: { schema: { type: 'string' } } },
            content: { 'image/*': { schema: { type: 'string', format: 'binary' } } },
          }
        : { description: 'OK', content: { 'application/json': { schema: js(r.response, 'output') } } };
    const responses: Record<string, unknown> = { '200': ok, '400': { description: 'Bad request', content: { 'application/json': { schema: errorSchema } } } };
    if (r.auth !== 'none') responses['401'] = { description: 'Missing, unknown or revoked token', content: { 'application/json': { schema: errorSchema } } };
    if (r.response === 'binary') responses['304'] = { description: 'Not modified (If-None-Match matched the ETag)' };
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      ...(r.auth !== 'none' ? { security: [{ [r.auth === 'admin' ? 'adminToken' : 'stationToken']: [] }] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: js(r.body, 'input') } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'School Station reference backend', version: '1' },
    components: {
      securitySchemes: {
        stationToken: { type: 'http', scheme: 'bearer', description: 'The token a station got from /v1/stations/enroll' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'An admin token from `server/cli.ts admin-token`' },
      },
    },
    paths,
  };
}

export interface AppOptions {
  repo: Repo;
  logger: FastifyBaseLogger | false;
  schoolName?: string;
  /** Release folders (one per update channel) served at /releases/<channel>/ (server/releases). */
  releasesDir?: string;
  /** How wrong enrollment codes slow down their address (tests make it quick). */
  enrollGuard?: EnrollGuardOptions;
  /** Serve HTTPS with this PEM key and certificate. */
  tls?: { key: Buffer | string; cert: Buffer | string };
  /** The reverse proxy's address: the client address (for the enrollment limit) comes from X-Forwarded-For. */
  trustProxy?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    station: StationRow | null;
  }
}

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : null;
}

export function buildApp(options: AppOptions): { app: FastifyInstance; routes: RouteDef[] } {
  const { repo } = options;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    ...(options.tls ? { https: { key: options.tls.key, cert: options.tls.cert } } : {}),
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    // Routes name their own limits; this is for anything else (e.g. the releases plugin).
    bodyLimit: BODY_LIMITS.admin,
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  const enrollGuard = new EnrollGuard(options.enrollGuard);
  const routes = routesFor(repo, options.schoolName, enrollGuard);
  app.decorateRequest('station', null);
  // A held long-poll answers at once when the server closes, so closing never waits out its hold.
  app.addHook('preClose', async () => repo.day.feed.close());
  if (options.releasesDir) void app.register(releasesPlugin, { root: options.releasesDir });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof z.ZodError) {
      return reply.code(400).send({ error: 'bad_request', message: z.prettifyError(err) } satisfies ApiError);
    }
    if (err instanceof NotFound) return reply.code(404).send({ error: 'not_found', message: err.message } satisfies ApiError);
    if (err instanceof ResolveRefused) return reply.code(409).send({ error: 'bad_request', message: err.message } satisfies ApiError);
    if (err instanceof RangeError) return reply.code(400).send({ error: 'bad_request', message: err.message } satisfies ApiError);
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 413) return reply.code(413).send({ error: 'too_large', message: 'the request body is larger than this endpoint takes' } satisfies ApiError);
    if (status && status >= 400 && status < 500) return reply.code(status).send({ error: 'bad_request', message: (err as Error).message } satisfies ApiError);
    req.log.error({ err, url: req.url }, 'request failed');
    return reply.code(500).send({ error: 'server_error', message: 'the server could not complete the request' } satisfies ApiError);
  });

  for (const r of routes) {
    app.route({
      method: r.method,
      url: r.url,
      bodyLimit: r.bodyLimit ?? BODY_LIMITS.admin,
      // onRequest runs before the body is read: a request without a good token (or a guesser that must
      // wait) is answered without its body being parsed, whatever its size.
      async onRequest(req, reply) {
        if (r.auth === 'none') {
          if (r.url === '/v1/stations/enroll') {
            const waitMs = enrollGuard.waitMs(req.ip);
            if (waitMs > 0) {
              req.log.warn({ ip: req.ip, waitMs }, 'enrollment attempt refused: too many wrong codes from this address');
              return reply
                .code(429)
                .header('retry-after', String(Math.ceil(waitMs / 1000)))
                .header('connection', 'close')
                .send({
                  error: 'too_many_attempts',
                  message: `too many wrong enrollment codes from this address; try again in ${Math.ceil(waitMs / 1000)} s`,
                } satisfies ApiError);
            }
          }
          return;
        }
        const token = bearer(req);
        if (r.auth === 'admin') {
          if (!token || !(await repo.authenticateAdmin(token))) {
            req.log.warn({ ip: req.ip, url: req.url }, 'admin request refused: bad, revoked or expired token');
            return reply
              .code(401)
              .header('connection', 'close')
              .send({ error: 'unauthorized', message: 'a valid admin token is required' } satisfies ApiError);
          }
          return;
        }
        const auth = token ? await repo.authenticateStation(token) : ({ ok: false, reason: 'unauthorized' } as const);
        if (!auth.ok) {
          req.log.warn({ ip: req.ip, url: req.url, reason: auth.reason }, 'station request refused: bad or revoked token');
          return reply
            .code(401)
            .header('www-authenticate', 'Bearer')
            .header('connection', 'close')
            .send({
              error: auth.reason,
              message: auth.reason === 'revoked' ? 'this station was revoked: enroll it again' : 'unknown station token',
            } satisfies ApiError);
        }
        req.station = auth.station;
      },
      async handler(req, reply) {
        const out = await r.handler({
          body: r.body ? r.body.parse(req.body) : undefined,
          query: r.query ? r.query.parse(req.query) : undefined,
          params: r.params ? r.params.parse(req.params) : undefined,
          station: req.station,
          req,
          reply,
        });
        if (reply.sent) return reply;
        return out;
      },
    });
  }

  const doc = openApiDocument(routes);
  app.get('/openapi.json', async () => doc);
  app.get('/healthz', async () => ({ ok: true }));
  return { app, routes };
}
