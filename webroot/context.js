// The Context tab: what `dindex context` would hand an LLM for a question. The daemon assembles it
// (POST /api/v1/context, the same dindex.context the CLI and MCP use); this only shows the block, with its [n]
// markers picked out, its token count against the budget, and the numbered sources.

import { api } from './api.js';
import { el, setText, linkOrText, shortUrl, formatNumber } from './format.js';

let sequence = 0;

/** The context text as nodes: plain text, with each [n] citation marker in a span (text nodes only, no HTML). */
export function contextNodes(text) {
  const out = document.createDocumentFragment();
  const re = /\[(\d{1,4})\]/g;
  let last = 0;
  let m;
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) {
      out.append(document.createTextNode(text.slice(last, m.index)));
    }
    out.append(el('span', { class: 'cite-num context-cite', dataset: { number: m[1] } }, m[0]));
    last = re.lastIndex;
  }
  if (last < text.length) {
    out.append(document.createTextNode(text.slice(last)));
  }
  return out;
}

function source(c) {
  return typeof c.url === 'string' && c.url ? shortUrl(c.url) : String(c.source ?? '');
}

function citationItem(c) {
  const title = c.title ? String(c.title) : source(c) || 'Untitled';
  return el('li', { class: 'citation', value: c.number, dataset: { number: String(c.number) } },
      el('span', { class: 'cite-num' }, `[${c.number}]`), ' ',
      linkOrText(c.url, title, 'citation-title'),
      source(c) ? el('span', { class: 'citation-source' }, ' — ' + source(c)) : null);
}

/** Switches the search column between its Search and Context tabs (the search's own markup is left as it is). */
function initTabs() {
  const column = document.getElementById('search-heading').closest('.column');
  const tabs = [document.getElementById('tab-search'), document.getElementById('tab-context')];
  const panel = document.getElementById('context-panel');
  const activate = index => {
    tabs.forEach((t, i) => {
      t.setAttribute('aria-selected', i === index ? 'true' : 'false');
      t.tabIndex = i === index ? 0 : -1;
    });
    column.dataset.view = index === 1 ? 'context' : 'search';
    panel.hidden = index !== 1;
    const question = document.getElementById('context-input');
    if (index === 1 && !question.value) {
      question.value = document.getElementById('search-input').value;
    }
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => activate(i));
    tab.addEventListener('keydown', e => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        const next = 1 - i;
        activate(next);
        tabs[next].focus();
        e.preventDefault();
      }
    });
  });
}

export function initContext() {
  initTabs();
  const form = document.getElementById('context-form');
  const input = document.getElementById('context-input');
  const budget = document.getElementById('context-budget');
  const button = document.getElementById('context-submit');
  const status = document.getElementById('context-status');
  const result = document.getElementById('context-result');
  const intro = document.getElementById('context-empty');
  const meter = document.getElementById('context-meter');
  const fill = document.getElementById('context-meter-fill');
  const pre = document.getElementById('context-text');
  const citations = document.getElementById('context-citations');
  const warning = document.getElementById('context-warning');
  const copy = document.getElementById('context-copy');
  let text = '';

  form.addEventListener('submit', async e => {
    e.preventDefault();
    const query = input.value.trim();
    if (!query) {
      input.focus();
      return;
    }
    const mine = ++sequence;
    setText(status, 'Assembling…');
    status.dataset.kind = 'busy';
    button.disabled = true;
    try {
      const reply = await api.context({ query, budget: Number(budget.value) });
      if (mine !== sequence) {
        return;
      }
      text = String(reply.context ?? '');
      intro.hidden = true;
      const passages = Array.isArray(reply.passages) ? reply.passages.length : 0;
      const omitted = reply.omitted_passages ?? 0;
      setText(status, passages === 0 ? 'Nothing in the index matches this question.'
          : `${formatNumber(passages)} passage${passages === 1 ? '' : 's'}`
          + (omitted ? ` · ${formatNumber(omitted)} more did not fit the budget` : ''));
      status.dataset.kind = passages === 0 ? '' : 'ok';
      setText(meter, `${formatNumber(reply.tokens)} of ${formatNumber(reply.budget)} tokens`);
      fill.style.width = Math.min(100, reply.budget > 0 ? reply.tokens / reply.budget * 100 : 0).toFixed(1) + '%';
      pre.replaceChildren(contextNodes(text));
      const cites = Array.isArray(reply.citations) ? reply.citations : [];
      citations.replaceChildren(...cites.map(citationItem));
      citations.closest('.citations').hidden = cites.length === 0;
      setText(warning, reply.degraded ? String(reply.warning || 'Semantic search is unavailable right now: these'
          + ' passages come from keyword (BM25) search only.') : '');
      warning.hidden = !reply.degraded;
      result.hidden = passages === 0;
      setText(copy, 'Copy');
    } catch (err) {
      if (mine !== sequence) {
        return;
      }
      setText(status, err.message);
      status.dataset.kind = 'error';
    } finally {
      if (mine === sequence) {
        button.disabled = false;
      }
    }
  });

  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      setText(copy, 'Copied');
    } catch {
      // No clipboard access (an insecure origin, a denied permission): select the text for a manual copy.
      const range = document.createRange();
      range.selectNodeContents(pre);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      setText(copy, 'Selected: press Ctrl+C');
    }
  });
}
