import type { Db } from './db.js';

export interface SessionRow {
  sessionId: number; sid: string; token: string; userId: string; ip: string;
  createdAt: number; lastAccess: number; aliveTime: number; authTimeout: number;
}
type Raw = Record<string, unknown>;
const toSession = (r: Raw): SessionRow => ({
  sessionId: r.session_id as number, sid: r.sid as string, token: r.token as string, userId: r.user_id as string, ip: r.ip as string,
  createdAt: r.created_at as number, lastAccess: r.last_access as number, aliveTime: r.alive_time as number, authTimeout: r.auth_timeout as number,
});

/** REST sessions, per array; a session is expired once idle longer than its aliveTime (virtual clock). */
export function createSessionStore(db: Db) {
  const s = {
    insert: db.prepare(`INSERT INTO sessions (session_id, sid, token, user_id, ip, created_at, last_access, alive_time, auth_timeout)
      VALUES (@sessionId, @sid, @token, @userId, @ip, @createdAt, @lastAccess, @aliveTime, @authTimeout)`),
    byToken: db.prepare('SELECT * FROM sessions WHERE token = ?'),
    byId: db.prepare('SELECT * FROM sessions WHERE sid = ? AND session_id = ?'),
    list: db.prepare('SELECT * FROM sessions WHERE sid = ? ORDER BY session_id'),
    touch: db.prepare('UPDATE sessions SET last_access = ? WHERE sid = ? AND session_id = ?'),
    delete: db.prepare('DELETE FROM sessions WHERE sid = ? AND session_id = ?'),
    purge: db.prepare('DELETE FROM sessions WHERE last_access + alive_time * 1000 <= ?'),
    count: db.prepare('SELECT COUNT(*) FROM sessions WHERE sid = ?').pluck(),
    usedIds: db.prepare('SELECT session_id FROM sessions WHERE sid = ? ORDER BY session_id').pluck(),
  };
  return {
    insert: (r: SessionRow) => s.insert.run(r),
    byToken: (token: string): SessionRow | undefined => { const r = s.byToken.get(token) as Raw | undefined; return r && toSession(r); },
    byId: (sid: string, id: number): SessionRow | undefined => { const r = s.byId.get(sid, id) as Raw | undefined; return r && toSession(r); },
    list: (sid: string): SessionRow[] => (s.list.all(sid) as Raw[]).map(toSession),
    touch: (sid: string, id: number, at: number) => s.touch.run(at, sid, id),
    delete: (sid: string, id: number) => s.delete.run(sid, id).changes > 0,
    /** Drops every session idle past its aliveTime at `now`. */
    purgeExpired: (now: number) => s.purge.run(now),
    count: (sid: string) => s.count.get(sid) as number,
    /** Lowest session id not in use (arrays hand out small ids and reuse them). */
    freeId: (sid: string): number => {
      let id = 0;
      for (const used of s.usedIds.all(sid) as number[]) { if (used !== id) break; id++; }
      return id;
    },
  };
}
export type SessionStore = ReturnType<typeof createSessionStore>;
