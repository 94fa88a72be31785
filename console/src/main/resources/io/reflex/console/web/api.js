// The console is a client of the public API like any script: it sends the token the user
// typed in the Authorization header (never a cookie), so another site cannot act with it.
const TOKEN_KEY = 'reflex.token';

export const PERMISSION_ROLES = {
  view: 'viewer', approve: 'operator', pause: 'operator', silence: 'operator', drill: 'operator', deploy: 'author',
};

let onUnauthorized = () => {};

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value); else sessionStorage.removeItem(TOKEN_KEY);
}

/** Called when the server answers 401: the token expired or was removed. */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

function headers(extra = {}) {
  const h = { ...extra };
  const t = token();
  if (t) h.Authorization = `Bearer ${t}`;
  return h;
}

/**
 * One API call. Resolves to {status, ok, data, missing}; never throws for HTTP errors, so the
 * views show the server's own message. `missing` is true when this server has no such endpoint
 * (an older or partial deployment): views show "not available" instead of failing.
 * A 401 logs out (the token was revoked), unless `expect401` (checking a token just typed).
 */
export async function call(method, path, body, { raw = false, signal, expect401 = false } = {}) {
  const init = { method, headers: headers(), signal };
  if (body !== undefined) {
    if (typeof body === 'string') {
      init.body = body;
      init.headers['Content-Type'] = 'text/plain; charset=utf-8';
    } else {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    return { status: 0, ok: false, data: { error: 'unreachable', message: `Reflex cannot be reached (${e.message}); is it running?` } };
  }
  const text = await res.text();
  let data = text;
  if (!raw) {
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: 'not_json', message: text.slice(0, 300) }; }
  }
  if (res.status === 401 && token() && !expect401) onUnauthorized(data);
  // A route the server does not have: Vert.x answers 404/405 with an HTML or empty body.
  const missing = (res.status === 404 || res.status === 405) && !(data && typeof data === 'object' && data.error);
  return { status: res.status, ok: res.ok, data, missing };
}

export const get = (path, opts) => call('GET', path, undefined, opts);
export const post = (path, body, opts) => call('POST', path, body, opts);
export const del = (path, opts) => call('DELETE', path, undefined, opts);

/** The text of an error answer, for a person. */
export function describe(answer) {
  const d = answer.data;
  if (answer.missing) return 'not available on this server';
  if (d && typeof d === 'object') {
    const details = Array.isArray(d.details) && d.details.length ? ` (${d.details.join('; ')})` : '';
    return `${d.message || d.error || JSON.stringify(d)}${details}`;
  }
  return `HTTP ${answer.status}${d ? ': ' + String(d).slice(0, 200) : ''}`;
}

/**
 * Follows a server-sent-events stream with fetch() (EventSource cannot send an Authorization
 * header). Calls onEvent(type, data) per event, onState('live'|'retry'|'missing'|'closed').
 * Reconnects with backoff until stop() is called.
 */
export function stream(path, onEvent, onState = () => {}) {
  const controller = new AbortController();
  let stopped = false;
  let delay = 1000;

  async function connect() {
    while (!stopped) {
      try {
        const res = await fetch(path, { headers: headers({ Accept: 'text/event-stream' }), signal: controller.signal });
        if (res.status === 401) { onUnauthorized(); onState('closed'); return; }
        if (res.status === 404 || res.status === 405) { onState('missing'); return; }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        onState('live');
        delay = 1000;
        await read(res.body.getReader(), onEvent);
      } catch (e) {
        if (stopped || e.name === 'AbortError') return;
      }
      if (stopped) return;
      onState('retry');
      await new Promise(r => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15000);
    }
  }

  connect();
  return () => { stopped = true; controller.abort(); };
}

async function read(reader, onEvent) {
  const decoder = new TextDecoder();
  let buffer = '';
  let type = 'message';
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (data.length) dispatch(onEvent, type, data.join('\n'));
        type = 'message';
        data = [];
      } else if (line.startsWith(':')) {
        // a comment: the server's keep-alive ping
      } else {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? '' : line.slice(colon + 1);
        if (val.startsWith(' ')) val = val.slice(1);
        if (field === 'event') type = val;
        else if (field === 'data') data.push(val);
      }
    }
  }
}

function dispatch(onEvent, type, text) {
  let data = text;
  try { data = JSON.parse(text); } catch (e) { /* not JSON: pass the text */ }
  try { onEvent(type, data); } catch (e) { console.error('stream handler failed', e); }
}
