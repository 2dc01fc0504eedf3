// The dashboard: wires the live stream, the jobs list and log, search, index statistics and the connection banner.

import { api, askForKey, onKeyNeeded, currentCollection, setCollection, onCollection } from './api.js';
import { Stream } from './stream.js';
import { JobsView, initJobForms } from './jobs.js';
import { JobLog } from './log.js';
import { initSearch } from './search.js';
import { Trends } from './trends.js';
import { initContext } from './context.js';
import { setText, formatNumber, formatBytes, formatRelative, formatDateTime, formatDecimal } from './format.js';

const STATS_EVERY_MS = 5000;

const stream = new Stream();
const log = new JobLog(stream);
const jobs = new JobsView({
  onSelect: job => log.show(job || null),
  onFinished: () => scheduleStats(250),
});

// ---- live events -------------------------------------------------------------------------------------------------
stream.on('snapshot', frame => {
  if (frame.scope === 'jobs') {
    jobs.applySnapshot(frame.jobs);
  } else {
    if (frame.job) {
      jobs.upsert(frame.job);
    }
    log.onSnapshot(frame);
  }
});
stream.on('job', frame => jobs.upsert(frame.job));
// Charts and job sparklines (trends.js). A job card made after a sample gets its sparkline on the next job event.
const trends = new Trends(stream, jobs);
stream.on('snapshot', () => trends.renderJobs());
stream.on('job', () => trends.renderJobs());
stream.on('item', frame => log.onItem(frame));
stream.on('dropped', frame => log.onDropped(frame));
stream.on('error', frame => {
  const key = stream.keyFor(frame.id);
  if (key && key.startsWith('job:')) {
    log.onError(frame);
  } else {
    console.warn('dindex: the daemon reported', frame.code, frame.message);
  }
});
stream.on('status', status => {
  const version = document.getElementById('version');
  setText(version, status.version ? 'v' + status.version : '');
});

// ---- connection state and banner ---------------------------------------------------------------------------------
const connection = document.getElementById('connection');
const connectionText = document.getElementById('connection-text');
const banner = document.getElementById('banner');
const bannerText = document.getElementById('banner-text');
const bannerRetry = document.getElementById('banner-retry');
const bannerHint = document.getElementById('banner-hint');
const keyButton = document.getElementById('key-button');
let bannerTimer = null;
let countdownTimer = null;
let wasLost = false;

function showBanner(kind, text, retry, hint = '') {
  clearTimeout(bannerTimer);
  banner.hidden = false;
  banner.dataset.kind = kind;
  setText(bannerText, text);
  setText(bannerHint, hint);
  bannerRetry.hidden = !retry;
}

function hideBanner() {
  clearTimeout(bannerTimer);
  banner.hidden = true;
  banner.dataset.kind = '';
}

function retryHint() {
  const at = stream.retryAt;
  if (!at) {
    return '';
  }
  const s = Math.max(0, Math.ceil((at - Date.now()) / 1000));
  return s > 0 ? `Next attempt in ${s} s` : 'Trying now…';
}

function renderConnection() {
  const state = stream.state;
  connection.className = 'conn conn-' + state;
  connection.dataset.state = state;
  clearInterval(countdownTimer);
  countdownTimer = null;
  if (state === 'open') {
    setText(connectionText, 'Live');
    if (wasLost) {
      wasLost = false;
      showBanner('ok', 'Reconnected to the daemon.', false);
      bannerTimer = setTimeout(hideBanner, 2500);
      scheduleStats(0);
    } else {
      hideBanner();
    }
    return;
  }
  if (stream.lastStatus === 401) {
    setText(connectionText, 'API key needed');
    connection.className = 'conn conn-auth';
    showBanner('warning', 'This daemon needs an API key. Use the “API key…” button to enter one.', false);
    keyButton.hidden = false;
    return;
  }
  if (state === 'reconnecting') {
    wasLost = true;
    setText(connectionText, 'Reconnecting…');
    const update = () => showBanner('warning', 'Connection to the daemon lost — reconnecting…', true, retryHint());
    update();
    countdownTimer = setInterval(update, 1000);
    return;
  }
  setText(connectionText, 'Connecting…');
  if (stream.lastError) {
    const update = () => showBanner('warning', 'Cannot reach the daemon — retrying…', true, retryHint());
    update();
    countdownTimer = setInterval(update, 1000);
  }
}

stream.onState(renderConnection);
bannerRetry.addEventListener('click', () => stream.retryNow());
window.addEventListener('online', () => stream.retryNow());

onKeyNeeded(needed => {
  keyButton.hidden = !needed;
});
keyButton.addEventListener('click', async () => {
  if (await askForKey('Enter an API key for this daemon.', true)) {
    stream.retryNow();
    scheduleStats(0);
  }
});

// ---- statistics ----------------------------------------------------------------------------------------------------
let statsTimer = null;
let statsInFlight = false;
let lastStats = null;

function scheduleStats(delay) {
  clearTimeout(statsTimer);
  statsTimer = setTimeout(refreshStats, delay);
}

async function refreshStats() {
  clearTimeout(statsTimer);
  if (statsInFlight) {
    scheduleStats(500);
    return;
  }
  statsInFlight = true;
  try {
    if (!document.hidden || !lastStats) {
      const asked = currentCollection();
      const stats = await api.stats();
      if (asked !== currentCollection()) {
        return;  // switched meanwhile: the next refresh shows the new one
      }
      lastStats = stats;
      renderStats(lastStats);
      refreshCollections();
      refreshCluster();
      // Without the live stream (a proxy that drops WebSockets, or while reconnecting) keep the jobs fresh by polling.
      if (stream.state !== 'open') {
        const reply = await api.jobs();
        jobs.applySnapshot(reply.jobs);
      }
    }
    document.querySelector('.stats').classList.remove('stale');
  } catch {
    document.querySelector('.stats').classList.add('stale');
  } finally {
    statsInFlight = false;
    statsTimer = setTimeout(refreshStats, STATS_EVERY_MS);
  }
}

// ---- the collection picker ---------------------------------------------------------------------------------------
const picker = document.getElementById('collection-picker');

/** Fills the picker with the daemon's collections, keeping the choice (the default when it is gone). */
async function refreshCollections() {
  let reply;
  try {
    reply = await api.collections();
  } catch {
    return;
  }
  const names = (reply.collections || []).map(c => String(c.name));
  if (!names.includes(currentCollection())) {
    setCollection('default');
  }
  const shown = Array.from(picker.options).map(o => o.value);
  if (shown.join('\n') !== names.join('\n')) {
    picker.replaceChildren(...names.map(name => {
      const option = document.createElement('option');
      option.value = name;
      option.textContent = name;
      return option;
    }));
  }
  picker.value = currentCollection();
}

picker.addEventListener('change', () => setCollection(picker.value));
onCollection(name => {
  picker.value = name;
  document.getElementById('stat-documents').dataset.collection = name;
  lastStats = null;
  scheduleStats(0);
});

function stat(id, value, sub, title) {
  const node = document.getElementById('stat-' + id);
  setText(node, value);
  node.title = title || '';
  const subNode = document.getElementById('stat-' + id + '-sub');
  setText(subNode, sub || '\u00a0');
}

function renderStats(s) {
  const documents = s.documents ?? 0;
  const chunks = s.chunks ?? 0;
  stat('documents', formatNumber(documents), documents === 0 ? 'The index is empty' : 'searchable');
  stat('chunks', formatNumber(chunks), documents > 0 ? `${formatDecimal(chunks / documents)} per document`
      : 'passages');
  const model = s.model || {};
  stat('model', model.name || '–', model.dimensions ? `${formatNumber(model.dimensions)} dimensions` : '',
      model.name || '');
  const stores = s.stores || {};
  const lucene = stores.lucene_bytes ?? 0;
  const vectors = stores.vectors_bytes_in_memory ?? 0;
  const wal = stores.wal_bytes ?? 0;
  stat('storage', formatBytes(lucene + vectors + wal), `${formatBytes(lucene)} text · ${formatBytes(vectors)} vectors`,
      `Lucene index ${formatBytes(lucene)}, vectors in memory ${formatBytes(vectors)}, write-ahead log ${formatBytes(wal)}`);
  const pending = s.pending_writes || {};
  const ops = pending.operations ?? 0;
  stat('commit', formatRelative(s.last_commit_at), ops > 0 ? `${formatNumber(ops)} write${ops === 1 ? '' : 's'} pending`
      : s.last_commit_at ? 'all writes searchable' : 'nothing committed yet',
      s.last_commit_at ? formatDateTime(s.last_commit_at) : '');
  document.getElementById('stat-documents').dataset.value = String(documents);
  document.getElementById('stat-documents').dataset.collection = String(s.collection ?? currentCollection());
}

// ---- the cluster tile: shown only on a cluster member ---------------------------------------------------------------
async function refreshCluster() {
  let reply;
  try {
    reply = await api.clusterShards();
  } catch {
    return;
  }
  const tile = document.getElementById('stat-cluster-tile');
  tile.hidden = !reply.enabled;
  document.querySelector('.stats').classList.toggle('clustered', Boolean(reply.enabled));
  if (!reply.enabled) {
    return;
  }
  const collections = reply.collections || [];
  const count = key => collections.reduce((n, c) => n + (c[key] || []).length, 0);
  const missing = count('missing_shards');
  const under = count('under_replicated_shards');
  const members = (reply.members || []).length;
  const detail = missing > 0 ? `${formatNumber(missing)} shard${missing === 1 ? '' : 's'} with no live copy`
      : under > 0 ? `${formatNumber(under)} shard${under === 1 ? '' : 's'} without a replica`
      : 'every shard fully copied';
  stat('cluster', String(reply.health), `${formatNumber(members)} member${members === 1 ? '' : 's'} · ${detail}`,
      'green: every shard has all its copies; yellow: a shard lacks a replica; red: a shard has no live copy');
  document.getElementById('stat-cluster').dataset.health = String(reply.health);
}

// ---- start ---------------------------------------------------------------------------------------------------------
initJobForms(jobs);
initSearch();
initContext();
refreshCollections();
stream.subscribe('jobs', { type: 'subscribe' });
stream.start();
refreshStats();
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) {
    scheduleStats(0);
  }
});

// A small hook for tests and demos (nothing secret: it only acts on this page's own connection).
window.dindexDebug = Object.freeze({
  dropConnection: () => stream.drop(),
  get connectionState() {
    return stream.state;
  },
  get connects() {
    return stream.connects;
  },
});
