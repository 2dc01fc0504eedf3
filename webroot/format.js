// Formatting helpers and safe DOM building. Nothing here ever parses HTML: text from the index or the network goes
// into the page through textContent / text nodes only.

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** A whole number with grouping ("12,345"); "–" for null or undefined. */
export function formatNumber(n) {
  return n === null || n === undefined || Number.isNaN(Number(n)) ? '–' : integer.format(Number(n));
}

/** A rate or other small decimal ("2.5"). */
export function formatDecimal(n) {
  return n === null || n === undefined ? '–' : decimal.format(Number(n));
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Bytes in binary multiples, one decimal above KB ("1.4 MB"). */
export function formatBytes(n) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) {
    return '–';
  }
  let v = Number(n);
  let u = 0;
  while (Math.abs(v) >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return (u === 0 ? integer.format(v) : decimal.format(v)) + ' ' + BYTE_UNITS[u];
}

/** A duration in seconds, coarse and readable ("45 s", "3 min 20 s", "2 h 5 min"). */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(Number(seconds))) {
    return '–';
  }
  const s = Math.max(0, Number(seconds));
  if (s < 10) {
    return decimal.format(s) + ' s';
  }
  if (s < 60) {
    return Math.round(s) + ' s';
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    const rest = Math.round(s - m * 60);
    return rest ? `${m} min ${rest} s` : `${m} min`;
  }
  const h = Math.floor(m / 60);
  const restMin = m - h * 60;
  return restMin ? `${h} h ${restMin} min` : `${h} h`;
}

/** "just now", "12 s ago", "5 min ago", "3 h ago", else a date. */
export function formatRelative(iso, now = Date.now()) {
  if (!iso) {
    return 'never';
  }
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(t)) {
    return '–';
  }
  const s = Math.round((now - t) / 1000);
  if (s < 5) {
    return 'just now';
  }
  if (s < 60) {
    return `${s} s ago`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)} min ago`;
  }
  if (s < 86400) {
    return `${Math.floor(s / 3600)} h ago`;
  }
  return new Date(t).toLocaleDateString();
}

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit',
  hourCycle: 'h23' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** Local clock time ("14:03:27") of an ISO string or epoch milliseconds. */
export function formatTime(value) {
  const t = typeof value === 'number' ? value : Date.parse(value);
  return Number.isNaN(t) ? '' : timeOfDay.format(new Date(t));
}

/** 24-hour clock time ("14:03:27"), compact for log rows. */
export function formatClock(value) {
  const t = typeof value === 'number' ? value : Date.parse(value);
  return Number.isNaN(t) ? '' : clock.format(new Date(t));
}

/** Local date and time, for tooltips. */
export function formatDateTime(value) {
  const t = typeof value === 'number' ? value : Date.parse(value);
  return Number.isNaN(t) ? '' : dateTime.format(new Date(t));
}

/** An amount in a job's unit ("1.2 MB", "42 pages"). */
export function formatAmount(n, unit) {
  if (unit === 'bytes') {
    return formatBytes(n);
  }
  return formatNumber(n) + (unit ? ' ' + unit : '');
}

/**
 * Builds an element: el('div', {class: 'x', title: 't'}, 'text', child...). Strings become text nodes; attributes
 * are set with setAttribute (never innerHTML), booleans toggle, null/undefined/false are skipped.
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) {
        continue;
      }
      if (k === 'class') {
        node.className = v;
      } else if (k === 'dataset') {
        Object.assign(node.dataset, v);
      } else if (v === true) {
        node.setAttribute(k, '');
      } else {
        node.setAttribute(k, String(v));
      }
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) {
      continue;
    }
    if (Array.isArray(c)) {
      append(node, c);
    } else if (c instanceof Node) {
      node.append(c);
    } else {
      node.append(document.createTextNode(String(c)));
    }
  }
}

/** Sets an element's text, only when it changed (keeps selections and avoids layout work). */
export function setText(node, text) {
  const t = text === null || text === undefined ? '' : String(text);
  if (node.textContent !== t) {
    node.textContent = t;
  }
}

/**
 * Renders a snippet whose query terms the daemon wrapped in **double asterisks**: text nodes for the text, <mark>
 * elements for the terms. An unpaired ** stays as literal text.
 */
export function snippetNodes(snippet) {
  const out = document.createDocumentFragment();
  const text = String(snippet ?? '');
  const re = /\*\*([^*]+?)\*\*/g;
  let last = 0;
  let m;
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) {
      out.append(document.createTextNode(text.slice(last, m.index)));
    }
    const mark = document.createElement('mark');
    mark.textContent = m[1];
    out.append(mark);
    last = re.lastIndex;
  }
  if (last < text.length) {
    out.append(document.createTextNode(text.slice(last)));
  }
  return out;
}

/** Only http(s) URLs become links; anything else (file paths, javascript:, data:) is shown as text. */
export function safeHref(url) {
  if (typeof url !== 'string' || url === '') {
    return null;
  }
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** A link to an http(s) URL opening in a new tab, or a span when the URL is not one. */
export function linkOrText(url, text, className) {
  const href = safeHref(url);
  if (href) {
    return el('a', { class: className, href, target: '_blank', rel: 'noopener noreferrer' }, text);
  }
  return el('span', { class: className }, text);
}

/** "example.org/docs/intro" for display: the URL without its scheme. */
export function shortUrl(url) {
  if (typeof url !== 'string') {
    return '';
  }
  return url.replace(/^https?:\/\//i, '');
}
