import type { UiScenario, UiView } from '../../src/ui/wire.js';

/**
 * The page's three ways to talk to the emulator:
 * - its own endpoints (the view, the scenarios, the change stream) under /emulator/ui/api/;
 * - the control plane through /emulator/ui/api/control/ (the server adds the control token, see src/ui/auth.ts);
 * - the VSP REST API itself, logged in with a session exactly as a client would be, so every instructor action is
 *   a real request that shows in the journal and answers with the real job or error object.
 */

/** Marks the page's requests: needed on cookie-authenticated changes, and keeps its reads from counting as changes. */
const UI_HEADERS = { 'x-vsp-emulator-ui': '1' };
const CM = '/ConfigurationManager/v1';

export interface Answer<T = unknown> { status: number; body: T; ok: boolean }

async function answer<T>(res: Response): Promise<Answer<T>> {
  const text = await res.text();
  let body: unknown = text;
  try { body = text ? JSON.parse(text) : null; } catch { /* keep the text */ }
  return { status: res.status, body: body as T, ok: res.ok };
}

export class SignedOut extends Error {}

async function uiFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, { ...init, credentials: 'same-origin', headers: { ...UI_HEADERS, ...(init.headers ?? {}) } });
  if (res.status === 401) throw new SignedOut('the control token is needed');
  return res;
}

export async function fetchView(storageDeviceId: string | null, since: number): Promise<UiView> {
  const q = new URLSearchParams();
  if (storageDeviceId) q.set('storageDeviceId', storageDeviceId);
  if (since > 0) q.set('since', String(since));
  const res = await uiFetch(`api/view?${q}`);
  if (!res.ok) throw new Error(`view: HTTP ${res.status}`);
  return (await res.json()) as UiView;
}

export async function fetchScenarios(): Promise<UiScenario[]> {
  const res = await uiFetch('api/scenarios');
  return res.ok ? ((await res.json()) as { data: UiScenario[] }).data : [];
}

/** A control-plane call (`path` relative to /emulator/v1/). */
export async function control<T = unknown>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  return answer<T>(await uiFetch(`api/control/${path}`, init));
}

/** REST API client of one page: a session per array, renewed when it expires or a reset dropped it. */
export class VspClient {
  private tokens = new Map<string, string>();

  constructor(private credentials: (sid: string) => { userId: string; password: string } | null) {}

  private async login(sid: string): Promise<string> {
    const who = this.credentials(sid);
    if (!who) throw new Error(`no user is known for array ${sid}`);
    const res = await fetch(`${CM}/objects/storages/${sid}/sessions`, {
      method: 'POST',
      headers: { ...UI_HEADERS, Authorization: `Basic ${btoa(`${who.userId}:${who.password}`)}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    const a = await answer<{ token?: string }>(res);
    if (!a.ok || !a.body?.token) throw new Error(`login to ${sid} as ${who.userId} failed: HTTP ${a.status} ${JSON.stringify(a.body)}`);
    this.tokens.set(sid, a.body.token);
    return a.body.token;
  }

  /** `path` is relative to the array's objects (`snapshots`) or, starting with `services/`, to its services. */
  url(sid: string, path: string): string {
    return path.startsWith('services/') ? `${CM}/${sid}/${path}` : `${CM}/objects/storages/${sid}/${path}`;
  }

  async call<T = unknown>(sid: string, method: string, path: string, body?: unknown): Promise<Answer<T>> {
    for (let attempt = 0; ; attempt++) {
      const token = this.tokens.get(sid) ?? (await this.login(sid));
      const headers: Record<string, string> = { ...UI_HEADERS, Authorization: `Session ${token}` };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const res = await fetch(this.url(sid, path), { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      // An expired session (the virtual clock moved on) or one a reset dropped: log in again, once.
      if (res.status === 401 && attempt === 0) { this.tokens.delete(sid); continue; }
      return answer<T>(res);
    }
  }
}
