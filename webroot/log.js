// The live per-URL log of the selected job: one row per URL showing its latest step (queued, fetching, indexed,
// skipped, failed), newest activity first, at most MAX_ROWS rows. Fed by the job's snapshot, then its live item
// events; a reconnect or a "dropped" notice resynchronises from a fresh snapshot.

import { el, setText, formatClock, formatNumber, linkOrText, shortUrl } from './format.js';

const MAX_ROWS = 500;

function keyOf(item) {
  const e = item.event || {};
  if (typeof e.url === 'string') {
    return 'url:' + e.url;
  }
  if (typeof e.path === 'string') {
    return 'path:' + e.path;
  }
  if (e.line !== undefined) {
    return 'line:' + e.line;
  }
  return 'seq:' + item.seq;
}

function details(e) {
  switch (e.kind) {
    case 'indexed': {
      const parts = [`${formatNumber(e.chunks ?? 0)} chunk${e.chunks === 1 ? '' : 's'}`];
      if (e.words !== undefined) {
        parts.push(`${formatNumber(e.words)} words`);
      }
      if (typeof e.finalUrl === 'string') {
        parts.push('as ' + shortUrl(e.finalUrl));
      }
      return parts.join(' · ');
    }
    case 'skipped':
    case 'failed':
    case 'error': {
      const reason = e.reason ? String(e.reason) : '';
      const status = e.status !== undefined && !reason.includes(String(e.status)) ? `HTTP ${e.status}` : '';
      return [reason, status].filter(Boolean).join(' · ') || e.kind;
    }
    case 'fetching':
      return 'fetching…';
    case 'queued':
      return e.depth !== undefined ? `depth ${e.depth}` : 'waiting';
    default:
      return e.reason ? String(e.reason) : '';
  }
}

export class JobLog {
  constructor(stream) {
    this.stream = stream;
    this.jobId = null;
    this.rows = new Map();
    this.lastSeq = 0;
    this.synced = false;
    this.buffer = [];
    this.section = document.getElementById('job-log');
    this.heading = document.getElementById('log-heading');
    this.summary = document.getElementById('log-summary');
    this.note = document.getElementById('log-note');
    this.body = document.getElementById('log-rows');
    this.empty = document.getElementById('log-empty');
  }

  /** Follows a job (null: none). Subscribes to its stream; the snapshot fills the log. */
  show(job) {
    const id = job ? job.id : null;
    if (id === this.jobId) {
      if (job) {
        this.updateJob(job);
      }
      return;
    }
    if (this.jobId) {
      this.stream.unsubscribe('job:' + this.jobId, { type: 'unsubscribe', job: this.jobId });
    }
    this.jobId = id;
    this.reset();
    this.section.hidden = !id;
    if (!id) {
      return;
    }
    this.updateJob(job);
    this.stream.subscribe('job:' + id, { type: 'subscribe', job: id });
  }

  reset() {
    this.rows.clear();
    this.body.replaceChildren();
    this.lastSeq = 0;
    this.synced = false;
    this.buffer = [];
    this.note.hidden = true;
    this.empty.hidden = false;
    setText(this.summary, '');
    setText(this.empty, 'Waiting for the first events…');
  }

  updateJob(job) {
    this.job = job;
    setText(this.heading, job.type === 'scrape' ? 'Crawl log' : job.type === 'import' ? 'Import issues'
        : job.type === 'watch' ? 'File changes' : 'Activity');
    if (this.rows.size === 0 && this.synced) {
      setText(this.empty, job.type === 'import' ? 'No problems reported: an import lists only the lines and'
          + ' documents that failed.' : job.type === 'watch' ? 'No file changes yet.' : 'No URLs yet.');
    }
  }

  updateSummary() {
    const n = this.rows.size;
    setText(this.summary, n === 0 ? '' : `${formatNumber(n)} ${this.job?.type === 'import' ? 'item'
        : this.job?.type === 'watch' ? 'file' : 'URL'}`
        + `${n === 1 ? '' : 's'}${n >= MAX_ROWS ? ' (latest)' : ''} · newest first`);
  }

  /** A snapshot of the followed job: the log restarts from its events. */
  onSnapshot(frame) {
    if (!this.jobId || frame.scope !== this.jobId) {
      return;
    }
    const held = this.buffer;
    this.rows.clear();
    this.body.replaceChildren();
    this.lastSeq = 0;
    this.synced = true;
    this.buffer = [];
    if (frame.job) {
      this.updateJob(frame.job);
    }
    for (const item of frame.events || []) {
      this.add(item);
    }
    for (const item of held) {
      this.add(item);
    }
    this.refreshEmpty();
  }

  onItem(frame) {
    if (!this.jobId || frame.job_id !== this.jobId) {
      return;
    }
    if (!this.synced) {
      this.buffer.push(frame);
      return;
    }
    this.add(frame);
    this.refreshEmpty();
  }

  /** The server skipped item events for this slow client: resubscribe to get a complete snapshot again. */
  onDropped(frame) {
    if (!this.jobId) {
      return;
    }
    this.note.hidden = false;
    setText(this.note, `${formatNumber(frame.items)} events were skipped while the connection was busy; the log`
        + ' was reloaded.');
    const id = this.jobId;
    this.stream.unsubscribe('job:' + id, { type: 'unsubscribe', job: id });
    this.synced = false;
    this.stream.subscribe('job:' + id, { type: 'subscribe', job: id });
  }

  onError(frame) {
    this.note.hidden = false;
    setText(this.note, frame.message || 'The daemon refused to stream this job.');
  }

  add(item) {
    if (typeof item.seq === 'number') {
      if (item.seq <= this.lastSeq) {
        return;
      }
      this.lastSeq = item.seq;
    }
    const e = item.event || {};
    const key = keyOf(item);
    let row = this.rows.get(key);
    if (!row) {
      row = this.createRow(e);
      row.tr.dataset.key = key;
      this.rows.set(key, row);
    }
    this.fill(row, e);
    if (this.body.firstChild !== row.tr) {
      this.body.prepend(row.tr);
    }
    while (this.rows.size > MAX_ROWS) {
      const last = this.body.lastElementChild;
      if (!last) {
        break;
      }
      this.rows.delete(last.dataset.key);
      last.remove();
    }
  }

  createRow(e) {
    const time = el('td', { class: 'log-time' });
    const badge = el('span', { class: 'badge' });
    const target = typeof e.url === 'string' ? linkOrText(e.url, shortUrl(e.url), 'log-url')
        : el('span', { class: 'log-url' }, typeof e.path === 'string' ? e.path
            : e.line !== undefined ? `line ${e.line}` : '—');
    if (typeof e.url === 'string') {
      target.title = e.url;
    }
    const detail = el('td', { class: 'log-detail' });
    const tr = el('tr', { class: 'log-row' }, time, el('td', null, badge), el('td', { class: 'log-target' }, target),
        detail);
    return { tr, time, badge, detail };
  }

  fill(row, e) {
    const kind = String(e.kind || 'event');
    row.tr.dataset.kind = kind;
    setText(row.time, e.at ? formatClock(e.at) : '');
    setText(row.badge, kind);
    row.badge.className = 'badge kind-badge kind-' + kind;
    const text = details(e);
    setText(row.detail, text);
    row.detail.title = text;
  }

  refreshEmpty() {
    this.updateSummary();
    this.empty.hidden = this.rows.size > 0;
    if (this.rows.size === 0 && this.job) {
      this.updateJob(this.job);
    }
  }
}
