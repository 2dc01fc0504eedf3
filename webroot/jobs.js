// Jobs: the list with live progress bars, the forms that start scrapes and imports, cancel buttons.

import { api } from './api.js';
import {
  el, setText, formatAmount, formatDecimal, formatBytes, formatDuration, formatTime, formatDateTime, shortUrl,
} from './format.js';

const FINISHED = new Set(['completed', 'failed', 'cancelled', 'interrupted']);
const ACTIVE = new Set(['queued', 'running']);
const SHOWN_BY_DEFAULT = 15;

export function isFinished(state) {
  return FINISHED.has(state);
}

function rank(state) {
  return state === 'queued' ? 0 : state === 'running' ? 1 : 2;
}

/** 0..100, or null when the job has no known total (an indeterminate bar). Completed jobs are full. */
export function percent(job) {
  if (job.state === 'completed') {
    return 100;
  }
  if (job.total === null || job.total === undefined || job.total <= 0) {
    return null;
  }
  return Math.max(0, Math.min(100, (job.current / job.total) * 100));
}

function jobTitle(job) {
  const p = job.params || {};
  if (job.type === 'scrape' && Array.isArray(p.urls) && p.urls.length) {
    const first = shortUrl(String(p.urls[0])).replace(/\/$/, '');
    return { text: p.urls.length > 1 ? `${first} + ${p.urls.length - 1} more` : first, full: p.urls.join('\n') };
  }
  if (job.type === 'watch' && Array.isArray(p.paths) && p.paths.length) {
    const first = String(p.paths[0]);
    return { text: p.paths.length > 1 ? `${first} + ${p.paths.length - 1} more` : first, full: p.paths.join('\n') };
  }
  if (typeof p.path === 'string') {
    const name = p.path.split(/[\\/]/).pop() || p.path;
    return { text: name, full: p.path };
  }
  return { text: job.id, full: job.id };
}

function typeLabel(type) {
  return type === 'scrape' ? 'Scrape' : type === 'import' ? 'Import' : type === 'watch' ? 'Watch'
      : String(type || 'Job');
}

function rateText(job) {
  if (!(job.rate > 0)) {
    return '';
  }
  return job.unit === 'bytes' ? formatBytes(job.rate) + '/s' : `${formatDecimal(job.rate)} ${job.unit || 'items'}/s`;
}

function countText(job) {
  const unit = job.unit || 'items';
  if (job.total !== null && job.total !== undefined) {
    return unit === 'bytes' ? `${formatBytes(job.current)} of ${formatBytes(job.total)}`
        : `${formatAmount(job.current)} / ${formatAmount(job.total, unit)}`;
  }
  return formatAmount(job.current, unit);
}

/** One job's card, updated in place as events arrive. */
class JobCard {
  constructor(view, job) {
    this.view = view;
    this.id = job.id;
    this.typeNode = el('span', { class: 'job-type' });
    this.titleNode = el('span', { class: 'job-title' });
    this.badge = el('span', { class: 'badge' });
    this.fill = el('div', { class: 'progress-fill' });
    this.bar = el('div', {
      class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
    }, this.fill);
    this.pct = el('span', { class: 'progress-pct' });
    this.stage = el('span', { class: 'job-stage' });
    this.count = el('span', { class: 'job-count' });
    this.rate = el('span', { class: 'job-rate' });
    this.eta = el('span', { class: 'job-eta' });
    this.counters = el('dl', { class: 'counters' });
    this.error = el('p', { class: 'job-error', hidden: true });
    this.idNode = el('code', { class: 'job-id' }, job.id);
    this.time = el('span', { class: 'job-time' });
    this.cancelButton = el('button', { type: 'button', class: 'btn btn-small btn-danger-ghost job-cancel' },
        'Cancel');
    this.logButton = el('button', { type: 'button', class: 'btn btn-small btn-ghost job-log-button',
      'aria-pressed': 'false' }, 'Activity');
    this.root = el('li', { class: 'job', dataset: { jobId: job.id } },
        el('div', { class: 'job-head' }, this.typeNode, this.titleNode, this.badge),
        el('div', { class: 'progress-row' }, this.bar, this.pct),
        el('div', { class: 'job-meta' }, this.stage, this.count, this.rate, this.eta),
        this.counters,
        this.error,
        el('div', { class: 'job-foot' }, this.idNode, this.time,
            el('span', { class: 'job-actions' }, this.logButton, this.cancelButton)));
    this.cancelButton.addEventListener('click', e => {
      e.stopPropagation();
      this.cancel();
    });
    this.logButton.addEventListener('click', e => {
      e.stopPropagation();
      view.toggleSelected(this.id);
    });
    this.root.addEventListener('click', e => {
      if (!(e.target instanceof Element) || !e.target.closest('a, button')) {
        view.select(this.id);
      }
    });
    this.cancelling = false;
    this.cancelError = '';
    this.update(job);
  }

  async cancel() {
    if (this.cancelling) {
      return;
    }
    this.cancelling = true;
    this.cancelButton.disabled = true;
    setText(this.cancelButton, 'Cancelling…');
    try {
      const reply = await api.cancel(this.id);
      if (reply && reply.job) {
        this.view.upsert(reply.job);
      }
    } catch (e) {
      this.cancelError = 'Could not cancel: ' + e.message;
    } finally {
      this.cancelling = false;
      this.cancelButton.disabled = false;
      setText(this.cancelButton, 'Cancel');
      this.update(this.job);
    }
  }

  showError(message) {
    setText(this.error, message);
    this.error.hidden = !message;
  }

  update(job) {
    this.job = job;
    const state = job.state || 'queued';
    this.root.dataset.state = state;
    this.root.dataset.type = job.type || '';
    setText(this.typeNode, typeLabel(job.type));
    const title = jobTitle(job);
    setText(this.titleNode, title.text);
    this.titleNode.title = title.full;
    setText(this.badge, state);
    this.badge.className = 'badge state-badge state-' + state;

    const p = percent(job);
    if (p === null) {
      this.bar.classList.toggle('indeterminate', state === 'running');
      this.bar.removeAttribute('aria-valuenow');
      this.fill.style.width = state === 'running' ? '' : '0%';
      setText(this.pct, state === 'running' ? '…' : '–');
    } else {
      this.bar.classList.remove('indeterminate');
      const shown = state === 'completed' ? 100 : Math.floor(p);
      this.bar.setAttribute('aria-valuenow', String(shown));
      this.fill.style.width = p.toFixed(2) + '%';
      setText(this.pct, shown + '%');
    }
    this.bar.setAttribute('aria-label', `${typeLabel(job.type)} ${title.text}: ${state}`);

    const active = ACTIVE.has(state);
    setText(this.stage, state === 'queued' ? 'Waiting for a free slot' : active ? capitalize(job.stage || state)
        : finishedText(job));
    setText(this.count, countText(job));
    setText(this.rate, state === 'running' ? rateText(job) : '');
    setText(this.eta, state === 'running' && job.eta_seconds !== null && job.eta_seconds !== undefined
        ? formatDuration(job.eta_seconds) + ' left' : '');

    this.renderCounters(job.counters || {});
    if (!active) {
      this.cancelError = '';
    }
    this.showError(job.error || this.cancelError || '');
    const started = job.started_at || job.created_at;
    setText(this.time, job.started_at ? 'started ' + formatTime(job.started_at) : 'queued '
        + formatTime(job.created_at));
    this.time.title = started ? formatDateTime(started) : '';
    this.cancelButton.hidden = !active;
  }

  renderCounters(counters) {
    const entries = Object.entries(counters);
    const signature = JSON.stringify(entries);
    if (signature === this.counterSignature) {
      return;
    }
    this.counterSignature = signature;
    this.counters.replaceChildren(...entries.map(([k, v]) => el('div', { class: 'counter', dataset: { counter: k } },
        el('dt', null, k.replace(/_/g, ' ')), el('dd', null, formatAmount(v)))));
    this.counters.hidden = entries.length === 0;
  }

  setSelected(selected) {
    this.root.classList.toggle('selected', selected);
    this.logButton.setAttribute('aria-pressed', selected ? 'true' : 'false');
    setText(this.logButton, selected ? 'Hide activity' : 'Activity');
  }
}

function capitalize(s) {
  const t = String(s || '');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

function finishedText(job) {
  const took = job.elapsed_seconds !== null && job.elapsed_seconds !== undefined
      ? ' in ' + formatDuration(job.elapsed_seconds) : '';
  switch (job.state) {
    case 'completed': return 'Completed' + took;
    case 'cancelled': return 'Cancelled' + took;
    case 'failed': return 'Failed' + took;
    case 'interrupted': return 'Interrupted';
    default: return capitalize(job.state);
  }
}

/** The job list. Listeners: onSelect(job|null), onFinished(job). */
export class JobsView {
  constructor({ onSelect, onFinished }) {
    this.jobs = new Map();
    this.cards = new Map();
    this.selected = null;
    this.showAll = false;
    this.onSelect = onSelect;
    this.onFinished = onFinished;
    this.list = document.getElementById('job-list');
    this.empty = document.getElementById('jobs-empty');
    this.summary = document.getElementById('jobs-summary');
    this.more = el('button', { type: 'button', class: 'btn btn-ghost btn-small show-more', hidden: true });
    this.more.addEventListener('click', () => {
      this.showAll = !this.showAll;
      this.render();
    });
    this.list.after(this.more);
    this.logSection = document.getElementById('job-log');
    this.logHome = this.logSection.parentNode;
    this.renderScheduled = false;
  }

  /** Replaces everything with a snapshot (after connecting or reconnecting). */
  applySnapshot(jobs) {
    const seen = new Set();
    for (const job of jobs || []) {
      seen.add(job.id);
      this.upsert(job);
    }
    for (const id of [...this.jobs.keys()]) {
      if (!seen.has(id)) {
        if (this.selected === id) {
          this.select(null);
        }
        this.jobs.delete(id);
        this.cards.get(id)?.root.remove();
        this.cards.delete(id);
      }
    }
    this.scheduleRender();
  }

  /** A job's newer state. States never go backwards (a late REST reply must not undo a live event). */
  upsert(job) {
    if (!job || typeof job.id !== 'string') {
      return;
    }
    const previous = this.jobs.get(job.id);
    if (previous && rank(job.state) < rank(previous.state)) {
      return;
    }
    this.jobs.set(job.id, job);
    const card = this.cards.get(job.id);
    if (card) {
      card.update(job);
    } else {
      this.cards.set(job.id, new JobCard(this, job));
    }
    if (isFinished(job.state) && previous && !isFinished(previous.state)) {
      this.onFinished?.(job);
    }
    if (this.selected === job.id) {
      this.onSelect?.(job, false);
    }
    this.scheduleRender();
  }

  scheduleRender() {
    if (this.renderScheduled) {
      return;
    }
    this.renderScheduled = true;
    requestAnimationFrame(() => {
      this.renderScheduled = false;
      this.render();
    });
  }

  sorted() {
    return [...this.jobs.values()].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at))
        || String(b.id).localeCompare(String(a.id)));
  }

  render() {
    const sorted = this.sorted();
    const limit = this.showAll ? sorted.length : SHOWN_BY_DEFAULT;
    const shown = sorted.filter((j, i) => i < limit || ACTIVE.has(j.state) || j.id === this.selected);
    const wanted = shown.map(j => this.cards.get(j.id).root);
    const current = [...this.list.children];
    if (wanted.length !== current.length || wanted.some((n, i) => n !== current[i])) {
      this.list.replaceChildren(...wanted);
    }
    this.empty.hidden = sorted.length > 0;
    const hiddenCount = sorted.length - shown.length;
    this.more.hidden = sorted.length <= SHOWN_BY_DEFAULT;
    setText(this.more, this.showAll ? 'Show fewer jobs' : `Show ${hiddenCount} older job${hiddenCount === 1 ? '' : 's'}`);

    const counts = { running: 0, queued: 0, finished: 0 };
    for (const j of sorted) {
      if (j.state === 'running') {
        counts.running++;
      } else if (j.state === 'queued') {
        counts.queued++;
      } else {
        counts.finished++;
      }
    }
    const parts = [];
    if (counts.running) {
      parts.push(`${counts.running} running`);
    }
    if (counts.queued) {
      parts.push(`${counts.queued} queued`);
    }
    if (counts.finished) {
      parts.push(`${counts.finished} finished`);
    }
    setText(this.summary, parts.join(' · '));
  }

  select(id) {
    if (this.selected === id) {
      return;
    }
    this.selected = id;
    for (const [cid, card] of this.cards) {
      card.setSelected(cid === id);
    }
    // The log opens inside the selected job's card.
    const card = id ? this.cards.get(id) : null;
    if (card) {
      card.root.append(this.logSection);
    } else {
      this.logHome.append(this.logSection);
    }
    this.onSelect?.(id ? this.jobs.get(id) : null, true);
    this.scheduleRender();
  }

  toggleSelected(id) {
    this.select(this.selected === id ? null : id);
  }

  runningJobs() {
    return [...this.jobs.values()].filter(j => ACTIVE.has(j.state));
  }
}

function intValue(input) {
  const v = input.value.trim();
  if (v === '') {
    return undefined;
  }
  const n = Number(v);
  return Number.isInteger(n) ? n : NaN;
}

const messageTimers = new WeakMap();

/** A line under a form; success notes fade after a while, errors stay until the next attempt. */
function showMessage(node, text, kind) {
  clearTimeout(messageTimers.get(node));
  node.textContent = text;
  node.dataset.kind = kind || '';
  if (kind === 'ok') {
    messageTimers.set(node, setTimeout(() => {
      node.textContent = '';
      node.dataset.kind = '';
    }, 8000));
  }
}

/** The "start a job" card: tabs, the scrape form and the import form. */
export function initJobForms(view) {
  const tabs = [document.getElementById('tab-scrape'), document.getElementById('tab-import')];
  const panels = [document.getElementById('scrape-form'), document.getElementById('import-form')];
  const activate = index => {
    tabs.forEach((t, i) => {
      t.setAttribute('aria-selected', i === index ? 'true' : 'false');
      t.tabIndex = i === index ? 0 : -1;
      panels[i].hidden = i !== index;
    });
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => activate(i));
    tab.addEventListener('keydown', e => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        const next = (i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length;
        activate(next);
        tabs[next].focus();
        e.preventDefault();
      }
    });
  });

  const scrape = document.getElementById('scrape-form');
  const scrapeMessage = document.getElementById('scrape-message');
  const scrapeButton = document.getElementById('scrape-submit');
  scrape.addEventListener('submit', async e => {
    e.preventDefault();
    const urls = document.getElementById('scrape-urls').value.split(/[\s,]+/).map(s => s.trim()).filter(Boolean);
    if (urls.length === 0) {
      showMessage(scrapeMessage, 'Enter at least one URL to start from.', 'error');
      document.getElementById('scrape-urls').focus();
      return;
    }
    const body = { urls };
    const numbers = [['depth', 'scrape-depth'], ['max_pages', 'scrape-max-pages'], ['delay_ms', 'scrape-delay'],
      ['concurrency', 'scrape-concurrency']];
    for (const [key, id] of numbers) {
      const input = document.getElementById(id);
      const v = intValue(input);
      if (Number.isNaN(v)) {
        const label = document.querySelector(`label[for="${id}"]`)?.firstChild?.textContent?.trim() || key;
        showMessage(scrapeMessage, `${label} must be a whole number.`, 'error');
        input.focus();
        return;
      }
      if (v !== undefined) {
        body[key] = v;
      }
    }
    body.stay_on_domain = document.getElementById('scrape-stay').checked;
    for (const key of ['include', 'exclude']) {
      const v = document.getElementById('scrape-' + key).value.trim();
      if (v) {
        body[key] = v;
      }
    }
    scrapeButton.disabled = true;
    showMessage(scrapeMessage, 'Starting…', 'busy');
    try {
      const reply = await api.scrape(body);
      view.upsert(reply.job);
      view.select(reply.job.id);
      showMessage(scrapeMessage, `Started ${reply.job.id}.`, 'ok');
    } catch (err) {
      showMessage(scrapeMessage, err.message, 'error');
    } finally {
      scrapeButton.disabled = false;
    }
  });

  const imp = document.getElementById('import-form');
  const importMessage = document.getElementById('import-message');
  const importButton = document.getElementById('import-submit');
  imp.addEventListener('submit', async e => {
    e.preventDefault();
    const path = document.getElementById('import-path').value.trim();
    if (!path) {
      showMessage(importMessage, 'Enter the path of a file on the daemon\'s machine.', 'error');
      document.getElementById('import-path').focus();
      return;
    }
    importButton.disabled = true;
    showMessage(importMessage, 'Starting…', 'busy');
    try {
      const reply = await api.import(path);
      view.upsert(reply.job);
      view.select(reply.job.id);
      showMessage(importMessage, `Started ${reply.job.id}.`, 'ok');
    } catch (err) {
      showMessage(importMessage, err.message, 'error');
    } finally {
      importButton.disabled = false;
    }
  });
}
