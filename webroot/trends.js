// The "Last hour" charts and the jobs' rate sparklines, from the daemon's own meters: the daemon samples them every
// 5 s and keeps an hour; over /ws the dashboard gets that hour on subscribing (metrics_history), then each new
// sample (metrics). Nothing is measured in the browser.

import { LineChart, sparkline } from './charts.js';
import { el, setText, formatNumber, formatDecimal, formatBytes } from './format.js';

const HOUR_MS = 3600 * 1000;

function decimal(v) {
  return v >= 100 ? formatNumber(v) : formatDecimal(v);
}

function latency(v) {
  return v >= 1000 ? formatDecimal(v / 1000) + ' s' : decimal(v) + ' ms';
}

export class Trends {
  /**
   * @param stream the /ws connection (stream.js)
   * @param jobs the job list (jobs.js): its cards get a sparkline of their rate
   */
  constructor(stream, jobs) {
    this.jobs = jobs;
    this.samples = [];
    this.intervalMs = 5000;
    this.windowMs = HOUR_MS;
    this.note = document.getElementById('trends-note');
    this.charts = [
      new LineChart({ key: 'ingest', title: 'Ingest', series: [{ key: 'ingest_chunks_per_second' }],
        format: decimal, unit: 'chunks/s', windowMs: HOUR_MS }),
      new LineChart({ key: 'queue', title: 'Embedding queue', series: [{ key: 'embedding_queue' }],
        format: formatNumber, unit: 'passages', windowMs: HOUR_MS }),
      new LineChart({ key: 'latency', title: 'Search latency',
        series: [{ key: 'search_p50_ms', label: 'p50' }, { key: 'search_p99_ms', label: 'p99' }],
        format: latency, windowMs: HOUR_MS, empty: 'no searches in this window' }),
      new LineChart({ key: 'chunks', title: 'Index size', series: [{ key: 'chunks' }], format: formatNumber,
        unit: 'chunks', windowMs: HOUR_MS }),
    ];
    document.getElementById('charts').replaceChildren(...this.charts.map(c => c.root));
    /** job id -> the sample seq its sparkline was drawn for */
    this.drawn = new Map();
    this.jobSeries = new Map();

    stream.on('metrics_history', frame => {
      this.intervalMs = frame.interval_ms || this.intervalMs;
      this.windowMs = frame.window_ms || this.windowMs;
      this.samples = Array.isArray(frame.samples) ? frame.samples.slice() : [];
      this.drawn.clear();
      this.render();
    });
    stream.on('metrics', frame => {
      const s = frame.sample;
      const last = this.samples[this.samples.length - 1];
      if (!s || (last && s.seq <= last.seq)) {
        return;
      }
      this.samples.push(s);
      const oldest = s.at - this.windowMs;
      while (this.samples.length && this.samples[0].at < oldest) {
        this.samples.shift();
      }
      this.render();
    });
    stream.subscribe('metrics', { type: 'subscribe', scope: 'metrics' });
  }

  render() {
    for (const chart of this.charts) {
      chart.update(this.samples, this.intervalMs);
    }
    const n = this.samples.length;
    setText(this.note, n === 0 ? 'Waiting for the first sample…'
        : `sampled every ${Math.round(this.intervalMs / 1000)} s by the daemon`);
    this.jobSeries = this.collectJobs();
    this.renderJobs();
  }

  /** Each job the samples saw running: id -> {unit, points [{at, v: rate}]}. Once per sample. */
  collectJobs() {
    const series = new Map();
    for (const s of this.samples) {
      for (const job of Array.isArray(s.jobs) ? s.jobs : []) {
        if (!series.has(job.id)) {
          series.set(job.id, { unit: job.unit, points: [] });
        }
        series.get(job.id).points.push({ at: s.at, v: typeof job.rate === 'number' ? job.rate : null });
      }
    }
    return series;
  }

  /**
   * Draws the sparkline of every job the samples saw running that has a card and none drawn for the latest sample.
   * Cheap when there is nothing new: app.js calls it on job events too, so a card made after a sample gets its line.
   */
  renderJobs() {
    const last = this.samples[this.samples.length - 1];
    if (!last) {
      return;
    }
    for (const [id, { unit, points }] of this.jobSeries) {
      const card = this.jobs.cards.get(id);
      if (!card || this.drawn.get(id) === last.seq) {
        continue;
      }
      this.drawn.set(id, last.seq);
      this.drawSpark(card, unit, points);
    }
  }

  drawSpark(card, unit, points) {
    let box = card.root.querySelector('.job-trend');
    if (!box) {
      box = el('div', { class: 'job-trend' });
      const meta = card.root.querySelector('.job-meta');
      meta.after(box);
    }
    const perSecond = v => (unit === 'bytes' ? formatBytes(v) : decimal(v) + ' ' + (unit || 'items')) + '/s';
    const known = points.filter(p => typeof p.v === 'number');
    if (known.length < 2) {
      box.hidden = true;
      return;
    }
    const max = Math.max(...known.map(p => p.v));
    const minutes = Math.max(1, Math.round((points[points.length - 1].at - points[0].at) / 60000));
    const label = `Rate over ${minutes} min: now ${perSecond(known[known.length - 1].v)}, peak ${perSecond(max)}`;
    const spark = sparkline(points, this.intervalMs * 2.5, label);
    box.replaceChildren(spark, el('span', { class: 'job-trend-label', title: label },
        `peak ${perSecond(max)} · ${minutes} min`));
    box.title = label;
    box.hidden = false;
  }
}
