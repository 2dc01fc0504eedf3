// The live connection to the daemon (/ws): JSON frames, subscriptions that survive reconnects, heartbeats, and
// reconnection with exponential backoff. Before each (re)connect the REST status is fetched: it tells a daemon that
// is down (network error) from one that wants an API key (401, which opens the key dialog), and carries the version.

import { api, socketKey } from './api.js';

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 15000;
const PING_EVERY_MS = 20000;
const SILENCE_LIMIT_MS = 45000;

export class Stream {
  #ws = null;
  #state = 'idle';
  #attempt = 0;
  #retryTimer = null;
  #retryAt = 0;
  #heartbeat = null;
  #lastHeard = 0;
  #everOpen = false;
  #nextId = 1;
  /** key -> subscribe frame (without id), resent after every reconnect */
  #subscriptions = new Map();
  /** request id -> subscription key, to route errors */
  #ids = new Map();
  #handlers = new Map();
  #stateListeners = new Set();
  #lastError = '';
  #lastStatus = 0;
  connects = 0;

  /** Handles server frames of one type ('snapshot', 'job', 'item', 'dropped', 'error', 'status', ...). */
  on(type, handler) {
    if (!this.#handlers.has(type)) {
      this.#handlers.set(type, new Set());
    }
    this.#handlers.get(type).add(handler);
    return this;
  }

  /** Listens for state changes: (state, info) with state idle|connecting|open|reconnecting. */
  onState(listener) {
    this.#stateListeners.add(listener);
    return this;
  }

  get state() {
    return this.#state;
  }

  get everOpen() {
    return this.#everOpen;
  }

  /** When the next attempt starts (epoch ms), 0 if none is scheduled. */
  get retryAt() {
    return this.#retryAt;
  }

  get lastError() {
    return this.#lastError;
  }

  /** The HTTP status of the last failed status probe (401: a key is needed), 0 for a network error or none. */
  get lastStatus() {
    return this.#lastStatus;
  }

  start() {
    if (this.#state === 'idle') {
      this.#connect();
    }
  }

  /** Reconnects at once instead of waiting for the backoff. */
  retryNow() {
    if (this.#state !== 'open' && this.#ws === null) {
      this.#connect();
    }
  }

  /** Subscribes now (when connected) and after every reconnect. */
  subscribe(key, frame) {
    this.#subscriptions.set(key, frame);
    if (this.#state === 'open') {
      this.#sendSubscription(key, frame);
    }
  }

  unsubscribe(key, frame) {
    if (this.#subscriptions.delete(key) && this.#state === 'open') {
      this.send(frame);
    }
  }

  /** Sends a frame; false when not connected. */
  send(frame) {
    if (this.#ws && this.#ws.readyState === WebSocket.OPEN && this.#state === 'open') {
      this.#ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  /** The subscription key a request id belongs to (for errors), or undefined. */
  keyFor(id) {
    return this.#ids.get(id);
  }

  /** Simulates losing the connection (for tests and demos): the socket closes and the usual reconnect follows. */
  drop() {
    const ws = this.#ws;
    if (!ws) {
      return false;
    }
    this.#ws = null;
    try {
      ws.close(4000, 'dropped by the dashboard');
    } catch {
      // already closing
    }
    this.#lost('the connection was dropped');
    return true;
  }

  #setState(state) {
    this.#state = state;
    this.#stateListeners.forEach(l => l(state, this));
  }

  #emit(type, value) {
    const set = this.#handlers.get(type);
    if (set) {
      set.forEach(h => {
        try {
          h(value);
        } catch (e) {
          console.error('dindex: handler for', type, 'failed', e);
        }
      });
    }
  }

  async #connect() {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#retryAt = 0;
    this.#setState(this.#everOpen ? 'reconnecting' : 'connecting');
    let status;
    try {
      status = await api.status();
    } catch (e) {
      this.#lastError = e.message || String(e);
      this.#lastStatus = e.status || 0;
      this.#scheduleRetry();
      return;
    }
    this.#lastStatus = 0;
    this.#emit('status', status);
    const url = new URL('/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const key = socketKey();
    if (key) {
      url.searchParams.set('api_key', key);
    }
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      this.#lastError = e.message || String(e);
      this.#scheduleRetry();
      return;
    }
    this.#ws = ws;
    ws.addEventListener('message', ev => {
      if (this.#ws !== ws) {
        return;
      }
      this.#lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (frame && frame.type === 'hello') {
        this.#opened();
      }
      if (frame && typeof frame.type === 'string') {
        this.#emit(frame.type, frame);
      }
    });
    ws.addEventListener('close', ev => {
      if (this.#ws !== ws) {
        return;
      }
      this.#ws = null;
      this.#lost(ev.reason || `closed (${ev.code})`);
    });
  }

  #opened() {
    this.#attempt = 0;
    this.#everOpen = true;
    this.#lastError = '';
    this.connects++;
    this.#setState('open');
    for (const [key, frame] of this.#subscriptions) {
      this.#sendSubscription(key, frame);
    }
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => this.#beat(), PING_EVERY_MS);
  }

  #beat() {
    if (Date.now() - this.#lastHeard > SILENCE_LIMIT_MS) {
      // No pong and no events for too long: the connection is dead even if the socket has not noticed.
      this.drop();
      return;
    }
    this.send({ type: 'ping', id: 'heartbeat' });
  }

  #sendSubscription(key, frame) {
    const id = 'sub-' + this.#nextId++;
    this.#ids.set(id, key);
    this.send({ ...frame, id });
  }

  #lost(reason) {
    clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    this.#lastError = reason;
    this.#scheduleRetry();
  }

  #scheduleRetry() {
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** this.#attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.#attempt++;
    this.#retryAt = Date.now() + delay;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
    this.#setState(this.#everOpen ? 'reconnecting' : 'connecting');
  }
}
