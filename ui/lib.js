// What every page of the console shares: calls to the gateway's API with the
// tab's key, and small DOM builders (no inline HTML: text goes in as text).

const KEY = 'edgeai.key';

export function storedKey() {
  return sessionStorage.getItem(KEY) || '';
}

export function storeKey(key) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

export function authHeaders(extra = {}) {
  const key = storedKey();
  return key ? { ...extra, authorization: 'Bearer ' + key } : extra;
}

// A JSON call: {ok, status, data} where data is the parsed body, or on an
// error {ok: false, status, message} with the gateway's own sentence.
export async function api(path, options = {}) {
  let res;
  try {
    res = await fetch(path, { ...options, headers: authHeaders(options.headers) });
  } catch (e) {
    return { ok: false, status: 0, message: 'The gateway cannot be reached: ' + e.message };
  }
  return readAnswer(res);
}

export async function readAnswer(res) {
  let data = null;
  try {
    data = await res.json();
  } catch {
    // Not JSON: the status line says enough.
  }
  if (res.ok) return { ok: true, status: res.status, data };
  const message = data && data.error && data.error.message
    ? data.error.message : 'HTTP ' + res.status + ' ' + res.statusText;
  if (res.status === 401) document.dispatchEvent(new CustomEvent('edgeai:unauthorized', { detail: message }));
  return { ok: false, status: res.status, message };
}

// el('p', {class: 'x'}, 'text', child): attributes, then children.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? '' : value);
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

export function table(caption, headers, rows) {
  return el('div', { class: 'scroll' }, el('table', {},
    el('caption', { class: 'visually-hidden' }, caption),
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c)))))));
}

// A section's content, or the refusal that took its place.
export function fill(container, ...nodes) {
  container.replaceChildren(...nodes);
}

export function refusal(answer) {
  return el('p', { class: 'refusal', role: 'status' }, answer.message);
}

export function formatTime(seconds) {
  return new Date(seconds * 1000).toLocaleString();
}
