/**
 * Stations, their enrollment codes and roles, and admin tokens. A code is made for a role, lives at
 * most a day and is spent by one conditional update, so two stations racing with one code (on SQLite
 * or on PostgreSQL) cannot both enroll. Only hashes of codes and tokens are stored.
 */
import { randomUUID } from 'node:crypto';
import type { StationRole } from '../common/events.ts';
import { MAX_CODE_TTL_MINUTES } from '../common/sync-api.ts';
import type { Database } from './storage/sql.ts';
import { hashSecret, newEnrollmentCode, newToken, normalizeCode } from './tokens.ts';

export interface StationRow {
  id: string;
  name: string;
  /** Null: enrolled before stations had roles; IT sets one with set-station-role. */
  role: StationRole | null;
  enrolledAt: string;
  revokedAt: string | null;
  lastSeenAt: string | null;
}

export type AuthResult = { ok: true; station: StationRow } | { ok: false; reason: 'unauthorized' | 'revoked' };

interface StationDbRow {
  id: string;
  name: string;
  role: StationRole | null;
  enrolled_at: string;
  revoked_at: string | null;
  last_seen_at: string | null;
}
const toStation = (r: StationDbRow): StationRow => ({
  id: r.id,
  name: r.name,
  role: r.role ?? null,
  enrolledAt: r.enrolled_at,
  revokedAt: r.revoked_at,
  lastSeenAt: r.last_seen_at,
});

const iso = (ms = Date.now()) => new Date(ms).toISOString();

/** An admin token made without a lifetime lives this long. */
export const ADMIN_TOKEN_DAYS = 90;

export class Stations {
  readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async createEnrollmentCode(role: StationRole, ttlMinutes = 60): Promise<{ code: string; role: StationRole; expiresAt: string }> {
    if (!Number.isInteger(ttlMinutes) || ttlMinutes < 1 || ttlMinutes > MAX_CODE_TTL_MINUTES) {
      throw new RangeError(`an enrollment code lives from 1 minute to ${MAX_CODE_TTL_MINUTES} minutes (a day)`);
    }
    const code = newEnrollmentCode();
    const expiresAt = iso(Date.now() + ttlMinutes * 60_000);
    await this.db.run('INSERT INTO enrollment_codes (code_hash, expires_at, role) VALUES (?, ?, ?)', [hashSecret(code), expiresAt, role]);
    return { code, role, expiresAt };
  }

  /** A single-use, unexpired code → a new station with the code's role and its token; null when the code is not good. */
  async enroll(code: string, name: string): Promise<{ stationId: string; token: string; role: StationRole | null } | null> {
    const codeHash = hashSecret(normalizeCode(code));
    return this.db.tx(async (tx) => {
      const stationId = randomUUID();
      const now = iso();
      // One conditional update spends the code: of two requests with the same code, one changes the row.
      const n = await tx.run('UPDATE enrollment_codes SET used_at = ?, station_id = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?', [
        now,
        stationId,
        codeHash,
        now,
      ]);
      if (n === 0) return null;
      const row = await tx.get<{ role: StationRole | null }>('SELECT role FROM enrollment_codes WHERE code_hash = ?', [codeHash]);
      const role = row?.role ?? null;
      const token = newToken();
      await tx.run('INSERT INTO stations (id, name, token_hash, enrolled_at, role) VALUES (?, ?, ?, ?, ?)', [stationId, name, hashSecret(token), now, role]);
      return { stationId, token, role };
    });
  }

  async authenticateStation(token: string): Promise<AuthResult> {
    const r = await this.db.get<StationDbRow>('SELECT id, name, role, enrolled_at, revoked_at, last_seen_at FROM stations WHERE token_hash = ?', [
      hashSecret(token),
    ]);
    if (!r) return { ok: false, reason: 'unauthorized' };
    if (r.revoked_at) return { ok: false, reason: 'revoked' };
    return { ok: true, station: toStation(r) };
  }

  async revokeStation(id: string): Promise<boolean> {
    return (await this.db.run('UPDATE stations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [iso(), id])) > 0;
  }

  /** Sets the role of a station (one enrolled before roles, or one IT moves to another post). */
  async setStationRole(id: string, role: StationRole): Promise<StationRow | null> {
    if ((await this.db.run('UPDATE stations SET role = ? WHERE id = ?', [role, id])) === 0) return null;
    const r = await this.db.get<StationDbRow>('SELECT id, name, role, enrolled_at, revoked_at, last_seen_at FROM stations WHERE id = ?', [id]);
    return r ? toStation(r) : null;
  }

  async stations(): Promise<StationRow[]> {
    const rows = await this.db.all<StationDbRow>('SELECT id, name, role, enrolled_at, revoked_at, last_seen_at FROM stations ORDER BY enrolled_at');
    return rows.map(toStation);
  }

  /** A new admin token; the id (not the token) names it for `revoke-admin-token`. */
  async createAdminToken(days = ADMIN_TOKEN_DAYS, label = ''): Promise<{ token: string; id: string; expiresAt: string }> {
    if (!Number.isInteger(days) || days < 1 || days > 366) throw new RangeError('an admin token lives from 1 to 366 days');
    const token = newToken();
    const hash = hashSecret(token);
    const expiresAt = iso(Date.now() + days * 86_400_000);
    await this.db.run('INSERT INTO admin_tokens (token_hash, created_at, expires_at, label) VALUES (?, ?, ?, ?)', [hash, iso(), expiresAt, label]);
    return { token, id: hash.slice(0, 12), expiresAt };
  }

  async adminTokens(): Promise<{ id: string; label: string; createdAt: string; expiresAt: string | null; revokedAt: string | null }[]> {
    const rows = await this.db.all<{ token_hash: string; label: string | null; created_at: string; expires_at: string | null; revoked_at: string | null }>(
      'SELECT token_hash, label, created_at, expires_at, revoked_at FROM admin_tokens ORDER BY created_at',
    );
    return rows.map((r) => ({
      id: r.token_hash.slice(0, 12),
      label: r.label ?? '',
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
    }));
  }

  /** Revokes the admin token whose id (the start of its hash, as `admin-tokens` lists it) is given. */
  async revokeAdminToken(id: string): Promise<boolean> {
    if (!/^[0-9a-f]{12}$/.test(id)) return false;
    const prefix = `${id}%`;
    return (await this.db.run('UPDATE admin_tokens SET revoked_at = ? WHERE token_hash LIKE ? AND revoked_at IS NULL', [iso(), prefix])) > 0;
  }

  async authenticateAdmin(token: string): Promise<boolean> {
    return !!(await this.db.get('SELECT 1 AS x FROM admin_tokens WHERE token_hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)', [
      hashSecret(token),
      iso(),
    ]));
  }
}
