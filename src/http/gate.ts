import { hostname } from 'node:os';
import { isIP } from 'node:net';

/**
 * The one gate in front of every request (the REST API, the control plane, the web view and its proxy):
 *
 * 1. `normalizeUrl` gives every request one canonical path before anything reads it, so authentication, routing,
 *    the journal and fault rules all decide on the same string. Without it `//ConfigurationManager/...`,
 *    `http://host/ConfigurationManager/...` and `/%43onfigurationManager/...` reached a route (the router tolerates
 *    them) while the authentication check, reading the raw URL, did not recognise them as API requests.
 * 2. `browserRefusal` keeps web pages out: a page on another site (Origin / Sec-Fetch-Site) may change nothing, and a
 *    page that reached us through DNS rebinding (its Origin equals a Host header of the attacker's choosing) is
 *    refused by the Host allow-list.
 */

const UNRESERVED = /%(?:[46][1-9A-Fa-f]|[57][0-9Aa]|3[0-9]|2[DEde]|5[Ff]|7[Ee])/g;

/**
 * The canonical request-target: absolute-form reduced to its path (RFC 9112 §3.2.2), runs of `/` collapsed,
 * percent-escapes of unreserved characters decoded (RFC 3986 §6.2.2.2), `.` and `..` segments removed (§5.2.4).
 * Other escapes (`%2C`, `%2F`, `%20`, …) stay as they are for the router to decode inside parameters.
 */
export function normalizeUrl(raw: string): string {
  let url = raw;
  if (!url.startsWith('/')) {
    // absolute-form (a proxy-style request line), `*`, or garbage: keep what follows the authority.
    const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*(.*)$/s.exec(url);
    url = m ? m[1]! : url === '*' ? '' : url;
    if (!url.startsWith('/')) url = `/${url}`;
  }
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  // The common case costs three substring scans: a clean path has no `//`, no escape and no dot segment.
  if (!path.includes('//') && !path.includes('%') && !path.includes('/.')) return url;
  path = path.replace(UNRESERVED, (e) => String.fromCharCode(parseInt(e.slice(1), 16))).replace(/\/{2,}/g, '/');
  const out: string[] = [];
  const segments = path.split('/').slice(1);
  segments.forEach((s, i) => {
    const last = i === segments.length - 1;
    if (s === '.' || s === '..') {
      if (s === '..') out.pop();
      if (last) out.push('');
      return;
    }
    out.push(s);
  });
  return `/${out.join('/')}${q < 0 ? '' : url.slice(q)}`;
}

/** Lower-cased host name of a Host header value (`[::1]:23450` → `::1`, `Example.com:80` → `example.com`). */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') < 0 ? undefined : h.indexOf(']'));
  const colon = h.indexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/**
 * Which Host header names the emulator answers browsers on: localhost names, IP literals (DNS rebinding needs a
 * name the attacker controls, never a literal), this machine's name, and what the operator added (`--allowed-host`;
 * `.example.com` allows its subdomains too, `*` allows any).
 */
export function createHostCheck(extra: readonly string[] = []): (host: string | undefined) => boolean {
  const names = new Set([hostname().toLowerCase(), ...extra.map((h) => h.trim().toLowerCase()).filter(Boolean)]);
  const any = names.has('*');
  const suffixes = [...names].filter((n) => n.startsWith('.'));
  return (host) => {
    if (host === undefined || any) return true; // no Host (HTTP/1.0 tools): no browser sent it
    const name = hostName(host);
    return name === 'localhost' || name.endsWith('.localhost') || isIP(name) !== 0 || names.has(name) ||
      suffixes.some((s) => name.endsWith(s) || name === s.slice(1));
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why a browser's request is refused (`null`: it is not). */
export type BrowserRefusal = 'crossSite' | 'hostNotAllowed';

export interface GateRequest { method: string; headers: Record<string, string | string[] | undefined> }

/**
 * The browser checks of one request. `always`: check the Host even without browser signals (the control plane and
 * web view, which need no credentials); the REST API checks it only when a browser is talking (Origin or
 * Sec-Fetch-* present), so tools that reach it by any name (a compose service, a container id) keep working.
 */
export function browserRefusal(req: GateRequest, hostAllowed: (host: string | undefined) => boolean, always: boolean): BrowserRefusal | null {
  const h = req.headers;
  const origin = typeof h.origin === 'string' ? h.origin : undefined;
  const fetchSite = typeof h['sec-fetch-site'] === 'string' ? h['sec-fetch-site'] : undefined;
  const browser = origin !== undefined || fetchSite !== undefined || h['sec-fetch-mode'] !== undefined;
  const host = typeof h.host === 'string' ? h.host : undefined;
  if ((always || browser) && !hostAllowed(host)) return 'hostNotAllowed';
  if (SAFE_METHODS.has(req.method)) return null;
  if (fetchSite === 'cross-site' || origin === 'null') return 'crossSite';
  if (origin !== undefined && originHost(origin) !== (host ?? '').toLowerCase()) return 'crossSite';
  return null;
}

/** `http://127.0.0.1:23450` → `127.0.0.1:23450` (what the Host header of a same-origin request carries). */
function originHost(origin: string): string {
  try { return new URL(origin).host.toLowerCase(); } catch { return ''; }
}

/** The sentence each refusal answers with (the API wraps it in its error object, the control plane in its own). */
export const REFUSAL_MESSAGES: Record<BrowserRefusal, string> = {
  crossSite: 'control-plane changes are not accepted from another site\'s page',
  hostNotAllowed: 'this Host name is not allowed (DNS rebinding guard): use localhost or an IP address, or start the emulator with --allowed-host <name>',
};
