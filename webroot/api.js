// REST client for /api/v1, with the API key dance: without a key by default; on 401 a small dialog asks for one,
// which is kept in sessionStorage (this tab only) and the request is retried.

const KEY_STORAGE = 'dindex.apiKey';
const BASE = '/api/v1/';

/** An error reply ({code, message}) or a network failure (status 0, code "network"). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function apiKey() {
  try {
    return sessionStorage.getItem(KEY_STORAGE) || '';
  } catch {
    return '';
  }
}

function storeKey(key) {
  try {
    if (key) {
      sessionStorage.setItem(KEY_STORAGE, key);
    } else {
      sessionStorage.removeItem(KEY_STORAGE);
    }
  } catch {
    // storage disabled: the key lives as long as the page does
  }
  memoryKey = key;
}

let memoryKey = '';
let pendingPrompt = null;
/** Set after the user dismissed the dialog: background requests stop asking until the user opens it again. */
let declined = false;
const keyListeners = new Set();

/** Called with true while the daemon wants a key we do not have (the header shows a key button then). */
export function onKeyNeeded(listener) {
  keyListeners.add(listener);
}

function keyNeeded(needed) {
  keyListeners.forEach(l => l(needed));
}

function currentKey() {
  return apiKey() || memoryKey;
}

/**
 * Shows the key dialog (one at a time, shared by concurrent callers). Resolves true when a key was entered.
 * @param {string} reason the server's message, shown in the dialog
 * @param {boolean} force show it even after the user dismissed it before (an explicit click)
 */
export function askForKey(reason, force = false) {
  if (declined && !force) {
    return Promise.resolve(false);
  }
  if (pendingPrompt) {
    return pendingPrompt;
  }
  const dialog = document.getElementById('key-dialog');
  const form = document.getElementById('key-form');
  const input = document.getElementById('key-input');
  const cancel = document.getElementById('key-cancel');
  const reasonNode = document.getElementById('key-reason');
  if (!dialog || typeof dialog.showModal !== 'function') {
    return Promise.resolve(false);
  }
  const text = reason || 'This daemon only answers requests that carry an API key.';
  reasonNode.textContent = text.charAt(0).toUpperCase() + text.slice(1);
  input.value = '';
  pendingPrompt = new Promise(resolve => {
    const done = ok => {
      form.removeEventListener('submit', onSubmit);
      cancel.removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) {
        dialog.close();
      }
      pendingPrompt = null;
      resolve(ok);
    };
    const onSubmit = e => {
      e.preventDefault();
      const key = input.value.trim();
      if (!key) {
        input.focus();
        return;
      }
      storeKey(key);
      declined = false;
      keyNeeded(false);
      done(true);
    };
    const onCancel = e => {
      e.preventDefault();
      declined = true;
      keyNeeded(true);
      done(false);
    };
    form.addEventListener('submit', onSubmit);
    cancel.addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    input.focus();
  });
  return pendingPrompt;
}

/** Forgets a key the daemon refused. */
export function forgetKey() {
  storeKey('');
}

/**
 * One request to /api/v1/<path>. Resolves with the JSON reply; rejects with an ApiError carrying the server's
 * {code, message} (or a network error).
 */
export async function request(method, path, body) {
  for (let attempt = 0; ; attempt++) {
    const headers = { Accept: 'application/json' };
    const key = currentKey();
    if (key) {
      headers.Authorization = 'Bearer ' + key;
    }
    const init = { method, headers, cache: 'no-store', credentials: 'same-origin' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(BASE + path, init);
    } catch {
      throw new ApiError(0, 'network', 'Cannot reach the daemon.');
    }
    let json = null;
    try {
      json = await res.json();
    } catch {
      json = null;
    }
    if (res.status === 401 && attempt < 3) {
      if (key) {
        forgetKey();
      }
      const message = json && typeof json.message === 'string' ? json.message : 'An API key is required.';
      if (await askForKey(key ? 'That key was refused: ' + message : message)) {
        continue;
      }
    }
    if (!res.ok) {
      const code = json && typeof json.code === 'string' ? json.code : 'http_' + res.status;
      const message = json && typeof json.message === 'string' ? json.message
          : `The daemon answered ${res.status} ${res.statusText}`.trim();
      throw new ApiError(res.status, code, message);
    }
    return json ?? {};
  }
}

// ---- the collection the page works on ------------------------------------------------------------------------------
const COLLECTION_STORAGE = 'dindex.collection';
let collection = 'default';
try {
  collection = sessionStorage.getItem(COLLECTION_STORAGE) || 'default';
} catch {
  // storage disabled: the default collection
}
const collectionListeners = new Set();

/** The collection statistics, searches, scrapes and imports address (kept for this tab). */
export function currentCollection() {
  return collection;
}

export function setCollection(name) {
  if (name === collection) {
    return;
  }
  collection = name;
  try {
    sessionStorage.setItem(COLLECTION_STORAGE, name);
  } catch {
    // storage disabled
  }
  collectionListeners.forEach(l => l(name));
}

/** Called with the new name whenever the page switches collection. */
export function onCollection(listener) {
  collectionListeners.add(listener);
}

/** The routes of the current collection: /api/v1/... for default, /api/v1/collections/{name}/... otherwise. */
function scoped(path) {
  return collection === 'default' ? path : 'collections/' + encodeURIComponent(collection) + '/' + path;
}

export const api = {
  status: () => request('GET', 'status'),
  stats: () => request('GET', scoped('stats')),
  collections: () => request('GET', 'collections'),
  clusterShards: () => request('GET', 'cluster/shards'),
  jobs: () => request('GET', 'jobs'),
  job: id => request('GET', 'jobs/' + encodeURIComponent(id) + '?events=true'),
  cancel: id => request('POST', 'jobs/' + encodeURIComponent(id) + '/cancel'),
  scrape: params => request('POST', scoped('scrape'), params),
  import: path => request('POST', scoped('import'), { path }),
  search: params => request('POST', scoped('search'), params),
  context: params => request('POST', scoped('context'), params),
};

/** The key for the WebSocket URL (browsers cannot set headers on it), or ''. */
export function socketKey() {
  return currentKey();
}
