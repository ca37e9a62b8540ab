import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * How a browser proves it may use the web view when the control plane has a token (`--control-token`). A browser
 * cannot put `Authorization: Bearer` on a page load, a module script or an EventSource, so the page follows the
 * Jupyter model: open `/emulator/ui/?token=<token>` once (or type the token in the login form), and the emulator
 * answers with an HttpOnly, SameSite=Strict cookie that holds a value derived from the token (not the token), then
 * redirects to the clean URL. `Authorization: Bearer <token>` is accepted too (curl, tests).
 *
 * The token itself never reaches the page's JavaScript: the page's control calls go through the UI's own proxy
 * (/emulator/ui/api/control/...), which adds the Bearer header on the server side. A cookie-authenticated request
 * that changes anything must carry `x-vsp-emulator-ui: 1`, a header no cross-site form can send and no cross-origin
 * script can add without a CORS preflight the emulator never grants.
 */

export const COOKIE = 'vsp_emulator_ui';
export const UI_HEADER = 'x-vsp-emulator-ui';

const digest = (s: string) => createHash('sha256').update(s).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    let value = part.slice(i + 1).trim();
    try { value = decodeURIComponent(value); } catch { /* keep it raw */ }
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

export type Credential = 'none-needed' | 'bearer' | 'cookie' | null;

export interface UiAuth {
  /** Whether a token is configured at all. */
  readonly required: boolean;
  /** The credential a request carries (`null`: none that is valid). */
  credential(req: FastifyRequest): Credential;
  /** Whether `candidate` is the control token. */
  matches(candidate: unknown): boolean;
  setCookie(req: FastifyRequest, reply: FastifyReply): void;
  clearCookie(req: FastifyRequest, reply: FastifyReply): void;
}

export function createUiAuth(token: string | undefined): UiAuth {
  const cookieValue = token ? createHmac('sha256', token).update('vsp-emulator web view cookie v1').digest('base64url') : null;
  const attrs = (req: FastifyRequest) => {
    const tls = Boolean((req.raw.socket as { encrypted?: boolean }).encrypted);
    return `Path=/emulator/ui; HttpOnly; SameSite=Strict${tls ? '; Secure' : ''}`;
  };
  return {
    required: Boolean(token),
    credential(req) {
      if (!token) return 'none-needed';
      const m = /^bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
      if (m && same(m[1]!.trim(), token)) return 'bearer';
      const c = parseCookies(req.headers.cookie).get(COOKIE);
      if (c !== undefined && same(c, cookieValue!)) return 'cookie';
      return null;
    },
    matches(candidate) {
      return Boolean(token) && typeof candidate === 'string' && same(candidate.trim(), token!);
    },
    setCookie(req, reply) {
      if (cookieValue) reply.header('set-cookie', `${COOKIE}=${cookieValue}; ${attrs(req)}`);
    },
    clearCookie(req, reply) {
      reply.header('set-cookie', `${COOKIE}=; Max-Age=0; ${attrs(req)}`);
    },
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The login form shown instead of the page while the browser has no valid credential (self-contained: no assets). */
export function loginPage(message: string | null, version: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>vsp-emulator · sign in</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;background:#0f172a;color:#e2e8f0;display:grid;place-items:center;min-height:100vh;margin:0}
form{background:#1e293b;padding:28px 32px;border-radius:12px;width:340px;box-shadow:0 10px 30px #0006}
h1{font-size:18px;margin:0 0 6px}p{color:#94a3b8;margin:0 0 16px;font-size:13px}
input{width:100%;box-sizing:border-box;padding:9px 10px;border-radius:6px;border:1px solid #475569;background:#0f172a;color:#e2e8f0;font:inherit}
button{margin-top:14px;width:100%;padding:9px;border:0;border-radius:6px;background:#2563eb;color:#fff;font:600 14px system-ui;cursor:pointer}
.err{color:#fca5a5}
</style></head><body>
<form method="post" action="/emulator/ui/login">
<h1>vsp-emulator ${escapeHtml(version)} · web view</h1>
<p>This emulator's control plane is protected. Enter the control token (<code>--control-token</code>), or open
<code>/emulator/ui/?token=…</code> once.</p>
${message ? `<p class="err" role="alert">${escapeHtml(message)}</p>` : ''}
<input type="text" name="username" value="vsp-emulator" autocomplete="username" hidden>
<input type="password" name="token" placeholder="control token" autocomplete="current-password" autofocus required>
<button type="submit">Open the web view</button>
</form></body></html>`;
}
