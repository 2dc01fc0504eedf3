// Time-series line charts and sparklines, drawn as plain SVG (no chart library). The SVG holds only grid lines and
// paths, stretched to the box (preserveAspectRatio="none", strokes that do not scale); every text is HTML beside it,
// so labels never distort. Values come from the daemon as numbers; a missing value (null) or a missing sample
// breaks the line instead of drawing a zero.

import { el, setText } from './format.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 600;          // viewBox width: x positions are computed in these units
const H = 100;          // viewBox height
const MIN_SPAN_MS = 5 * 60 * 1000;

/** An SVG element with attributes. */
export function svg(tag, attrs = {}) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    node.setAttribute(k, String(v));
  }
  return node;
}

/** The smallest "nice" number (1, 2 or 5 times a power of ten) at or above v; 1 for nothing to show. */
export function niceCeiling(v) {
  if (!(v > 0)) {
    return 1;
  }
  const power = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= v * (1 - 1e-9)) {
      return step * power;
    }
  }
  return 10 * power;
}

/**
 * The SVG paths of points [{x, y}] in viewBox units, where y === null breaks the line: `line` joins each run of two or
 * more points, `dots` marks the points that stand alone (zero-length segments drawn with a round cap).
 */
export function pathOf(points) {
  let line = '';
  let dots = '';
  let run = [];
  const at = p => p.x.toFixed(1) + ' ' + p.y.toFixed(1);
  const flush = () => {
    if (run.length === 1) {
      dots += 'M' + at(run[0]) + 'h0';
    } else if (run.length > 1) {
      line += run.map((p, i) => (i === 0 ? 'M' : 'L') + at(p)).join('');
    }
    run = [];
  };
  for (const p of points) {
    if (p.y === null) {
      flush();
    } else {
      run.push(p);
    }
  }
  flush();
  return { line, dots };
}

/** Inserts a break (y: null) wherever two samples are further apart than `gap` ms: a missed sample is not a line. */
function withGaps(points, gap) {
  const out = [];
  for (let i = 0; i < points.length; i++) {
    if (i > 0 && points[i].at - points[i - 1].at > gap) {
      out.push({ at: points[i].at, v: null });
    }
    out.push(points[i]);
  }
  return out;
}

function spanLabel(ms) {
  const min = Math.round(ms / 60000);
  return min >= 60 ? '−1 h' : `−${min} min`;
}

/**
 * A chart of one or more series over time. Options: key (data-chart), title, series [{key, label}], format(value)
 * for values, unit (shown after the value), windowMs, empty (what an empty chart says). Call
 * update(samples, intervalMs) with samples oldest first, each {at, [key]: number|null}.
 */
export class LineChart {
  constructor({ key, title, series, format, unit = '', windowMs, empty = 'no data yet' }) {
    this.series = series;
    this.format = format;
    this.unit = unit;
    this.windowMs = windowMs;
    this.samples = [];
    this.value = el('span', { class: 'chart-value' });
    this.grid = [1, 2, 3].map(i => svg('line', { class: 'chart-rule', x1: 0, x2: W, y1: H * i / 4, y2: H * i / 4,
      'vector-effect': 'non-scaling-stroke' }));
    this.area = svg('path', { class: 'chart-area' });
    this.lines = series.map((s, i) => svg('path', { class: `chart-line chart-s${i}`, 'data-series': s.key,
      'vector-effect': 'non-scaling-stroke' }));
    this.dots = series.map((s, i) => svg('path', { class: `chart-dot chart-s${i}`, 'data-series': s.key,
      'vector-effect': 'non-scaling-stroke' }));
    this.cursor = svg('line', { class: 'chart-cursor', y1: 0, y2: H, 'vector-effect': 'non-scaling-stroke',
      visibility: 'hidden' });
    this.svg = svg('svg', { class: 'chart-svg', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none',
      role: 'img', 'aria-label': title, 'data-points': 0 });
    this.svg.append(...this.grid, this.area, ...this.lines, ...this.dots, this.cursor);
    this.yMax = el('span', { class: 'chart-ymax' });
    this.from = el('span', null);
    this.plot = el('div', { class: 'chart-plot', dataset: { emptyText: empty } }, this.svg, this.yMax);
    this.root = el('figure', { class: 'chart', dataset: { chart: key } },
        el('figcaption', { class: 'chart-head' }, el('span', { class: 'chart-title' }, title), this.value),
        this.plot,
        el('div', { class: 'chart-foot' }, this.from, el('span', null, 'now')));
    this.plot.addEventListener('mousemove', e => this.hover(e));
    this.plot.addEventListener('mouseleave', () => this.hover(null));
    this.render();
  }

  update(samples, intervalMs) {
    this.samples = samples;
    this.intervalMs = intervalMs;
    this.render();
  }

  /** The x domain: the last hour, or less while the daemon has not run that long (at least five minutes). */
  domain() {
    const end = this.samples.length ? this.samples[this.samples.length - 1].at : Date.now();
    const first = this.samples.length ? this.samples[0].at : end;
    const span = Math.min(this.windowMs, Math.max(MIN_SPAN_MS, end - first));
    return { start: end - span, end, span };
  }

  render() {
    const { start, span } = this.domain();
    const shown = this.samples.filter(s => s.at >= start);
    let max = 0;
    let points = 0;
    for (const s of shown) {
      for (const series of this.series) {
        const v = s[series.key];
        if (typeof v === 'number') {
          max = Math.max(max, v);
        }
      }
      if (typeof s[this.series[0].key] === 'number') {
        points++;
      }
    }
    const top = niceCeiling(max);
    const x = at => (at - start) / span * W;
    const y = v => H - (v / top) * H;
    const gap = (this.intervalMs || 5000) * 2.5;
    this.series.forEach((series, i) => {
      const raw = withGaps(shown.map(s => ({ at: s.at, v: typeof s[series.key] === 'number' ? s[series.key] : null })),
          gap);
      const pts = raw.map(p => ({ x: x(p.at), y: p.v === null ? null : y(p.v) }));
      const { line, dots } = pathOf(pts);
      this.lines[i].setAttribute('d', line);
      this.dots[i].setAttribute('d', dots);
      if (i === 0) {
        this.area.setAttribute('d', areaOf(pts));
      }
    });
    this.svg.setAttribute('data-points', String(points));
    this.svg.setAttribute('data-max', String(max));
    this.root.dataset.empty = points === 0 ? 'true' : 'false';
    setText(this.yMax, points ? this.format(top) : '');
    setText(this.from, spanLabel(span));
    this.showValues(shown.length ? shown[shown.length - 1] : null, false);
  }

  /** The header's readout: the latest sample, or the one under the pointer. */
  showValues(sample, hovering) {
    this.value.replaceChildren();
    if (!sample) {
      setText(this.value, '–');
      return;
    }
    const parts = this.series.map((series, i) => {
      const v = sample[series.key];
      return el('span', { class: `chart-reading chart-s${i}`, dataset: { series: series.key } },
          series.label ? [el('span', { class: 'chart-label' }, series.label), ' '] : null,
          typeof v === 'number' ? this.format(v) : '–');
    });
    this.value.append(...parts);
    if (this.unit) {
      this.value.append(el('span', { class: 'chart-unit' }, this.unit));
    }
    if (hovering) {
      this.value.append(el('span', { class: 'chart-when' }, new Date(sample.at).toLocaleTimeString()));
    }
    this.value.dataset.latest = String(sample[this.series[0].key] ?? '');
  }

  hover(event) {
    const { start, span } = this.domain();
    if (!event || this.samples.length === 0) {
      this.cursor.setAttribute('visibility', 'hidden');
      this.showValues(this.samples.length ? this.samples[this.samples.length - 1] : null, false);
      return;
    }
    const box = this.plot.getBoundingClientRect();
    const at = start + (event.clientX - box.left) / box.width * span;
    let best = null;
    for (const s of this.samples) {
      if (s.at >= start && (!best || Math.abs(s.at - at) < Math.abs(best.at - at))) {
        best = s;
      }
    }
    if (!best) {
      return;
    }
    const cx = ((best.at - start) / span * W).toFixed(1);
    this.cursor.setAttribute('x1', cx);
    this.cursor.setAttribute('x2', cx);
    this.cursor.setAttribute('visibility', 'visible');
    this.showValues(best, true);
  }
}

/** The filled area under each unbroken run of points, down to the baseline. */
function areaOf(points) {
  let d = '';
  let run = [];
  const flush = () => {
    if (run.length > 1) {
      d += 'M' + run[0].x.toFixed(1) + ' ' + H + run.map(p => 'L' + p.x.toFixed(1) + ' ' + p.y.toFixed(1)).join('')
          + 'L' + run[run.length - 1].x.toFixed(1) + ' ' + H + 'Z';
    }
    run = [];
  };
  for (const p of points) {
    if (p.y === null) {
      flush();
    } else {
      run.push(p);
    }
  }
  flush();
  return d;
}

/**
 * A sparkline of values [{at, v}] (v null for unknown) across its own time span; returns an <svg class="spark">
 * with data-points (how many values it draws) and data-max.
 */
export function sparkline(values, gapMs, label) {
  const known = values.filter(p => typeof p.v === 'number');
  const node = svg('svg', { class: 'spark', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img',
    'aria-label': label, 'data-points': known.length });
  if (known.length === 0) {
    return node;
  }
  const start = values[0].at;
  const span = Math.max(1, values[values.length - 1].at - start);
  const max = Math.max(...known.map(p => p.v));
  const top = max > 0 ? max : 1;
  // 8 % headroom at the top and a 4 % floor keep the stroke inside the box.
  const pts = withGaps(values, gapMs).map(p => ({
    x: (p.at - start) / span * W,
    y: p.v === null ? null : H - 4 - (p.v / top) * (H * 0.88),
  }));
  node.setAttribute('data-max', String(max));
  node.append(svg('path', { class: 'spark-area', d: areaOf(pts) }),
      svg('path', { class: 'spark-line', d: pathOf(pts).line, 'vector-effect': 'non-scaling-stroke' }));
  return node;
}
