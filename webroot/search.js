// Search: the query form, results grouped by document with highlighted snippets, and numbered citations.

import { api, onCollection } from './api.js';
import { el, snippetNodes, linkOrText, shortUrl, formatDecimal, formatNumber } from './format.js';

let sequence = 0;

function score(n, digits) {
  return n === null || n === undefined ? null : Number(n).toFixed(digits);
}

function matchedBy(list) {
  if (!Array.isArray(list) || list.length === 0) {
    return null;
  }
  return el('span', { class: 'matched' }, list.map(m => el('span', { class: 'chip chip-' + String(m) },
      m === 'bm25' ? 'keywords' : m === 'dense' ? 'semantic' : String(m))));
}

function citationLabel(n) {
  return el('span', { class: 'cite-num', title: `Citation [${n}]` }, `[${n}]`);
}

function displaySource(doc) {
  if (typeof doc.url === 'string' && doc.url) {
    return shortUrl(doc.url);
  }
  return String(doc.source ?? '');
}

/** Text without highlight marks, ellipses and spacing differences: is the snippet the whole passage? */
function normalize(text) {
  return String(text ?? '').replace(/\*\*/g, '').replace(/…/g, '').replace(/\s+/g, ' ').trim().replace(/\.+$/, '');
}

function renderPassage(chunk, docTitle) {
  // The first heading is usually the document's title, already shown above: only the sections below it are useful.
  let sections = Array.isArray(chunk.section_hierarchy) ? chunk.section_hierarchy.map(String) : [];
  if (sections.length && sections[0] === docTitle) {
    sections = sections.slice(1);
  }
  const crumbs = sections.length
      ? el('div', { class: 'crumbs' }, sections.flatMap((s, i) => i === 0
          ? [el('span', null, s)] : [el('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '›'),
            el('span', null, s)]))
      : null;
  const snippet = el('p', { class: 'snippet' });
  snippet.append(snippetNodes(chunk.snippet || chunk.content || ''));
  const s = chunk.score || {};
  const scores = [];
  if (s.dense !== null && s.dense !== undefined) {
    scores.push(`cosine ${score(s.dense, 3)}`);
  }
  if (s.bm25 !== null && s.bm25 !== undefined) {
    scores.push(`BM25 ${score(s.bm25, 2)}`);
  }
  if (chunk.rank !== undefined) {
    scores.unshift(`#${chunk.rank}`);
  }
  const content = typeof chunk.content === 'string' ? chunk.content.trim() : '';
  const full = content && normalize(content) !== normalize(chunk.snippet)
      ? el('details', { class: 'full-passage' }, el('summary', null, 'Full passage'),
          el('div', { class: 'full-text' }, chunk.content))
      : null;
  return el('div', { class: 'passage', dataset: { chunkId: String(chunk.chunk_id ?? '') } },
      crumbs, snippet,
      el('div', { class: 'passage-meta' }, matchedBy(chunk.matched_by), el('span', { class: 'scores' },
          scores.join(' · '))),
      full);
}

function renderResult(doc) {
  const title = doc.title ? String(doc.title) : displaySource(doc) || 'Untitled';
  const heading = el('h3', { class: 'result-title' }, linkOrText(doc.url, title, 'result-link'));
  const fused = score(doc.score, 4);
  return el('article', { class: 'result', dataset: { documentId: String(doc.document_id ?? '') } },
      el('div', { class: 'result-head' },
          doc.citation !== undefined ? citationLabel(doc.citation) : null,
          el('div', { class: 'result-heading' },
              heading,
              el('div', { class: 'result-source', title: String(doc.url || doc.source || '') },
                  displaySource(doc))),
          fused !== null ? el('span', { class: 'result-score', title: 'Fused score' }, fused) : null),
      el('div', { class: 'passages' }, (doc.chunks || []).map(c => renderPassage(c, title))));
}

function renderCitations(citations) {
  if (!Array.isArray(citations) || citations.length === 0) {
    return null;
  }
  return el('section', { class: 'citations', 'aria-labelledby': 'citations-heading' },
      el('h3', { id: 'citations-heading' }, 'Sources'),
      el('ol', { class: 'citation-list' }, citations.map(c => el('li', {
        class: 'citation', value: c.number, dataset: { number: String(c.number) },
      }, citationLabel(c.number), ' ', linkOrText(c.url, c.title ? String(c.title) : displaySource(c),
          'citation-title'), c.url || c.source ? el('span', { class: 'citation-source' }, ' — ' + displaySource(c))
          : null))));
}

export function initSearch() {
  const form = document.getElementById('search-form');
  const input = document.getElementById('search-input');
  const mode = document.getElementById('search-mode');
  const topK = document.getElementById('search-top-k');
  const button = document.getElementById('search-submit');
  const status = document.getElementById('search-status');
  const results = document.getElementById('search-results');
  const intro = document.getElementById('search-empty');

  // Results belong to the collection they came from: switching collection clears them.
  onCollection(() => {
    sequence++;
    results.replaceChildren();
    results.removeAttribute('aria-busy');
    button.disabled = false;
    status.textContent = '';
    status.dataset.kind = '';
    intro.hidden = false;
  });

  form.addEventListener('submit', async e => {
    e.preventDefault();
    const query = input.value.trim();
    if (!query) {
      input.focus();
      return;
    }
    const mine = ++sequence;
    status.textContent = 'Searching…';
    status.dataset.kind = 'busy';
    results.setAttribute('aria-busy', 'true');
    button.disabled = true;
    try {
      const reply = await api.search({ query, top_k: Number(topK.value), mode: mode.value });
      if (mine !== sequence) {
        return;
      }
      intro.hidden = true;
      render(reply, query);
    } catch (err) {
      if (mine !== sequence) {
        return;
      }
      status.textContent = err.message;
      status.dataset.kind = 'error';
    } finally {
      if (mine === sequence) {
        results.removeAttribute('aria-busy');
        button.disabled = false;
      }
    }
  });

  function render(reply, query) {
    const docs = Array.isArray(reply.results) ? reply.results : [];
    const nodes = [];
    if (reply.degraded) {
      nodes.push(el('p', { class: 'notice notice-warning' }, reply.warning
          ? String(reply.warning) : 'Semantic search is unavailable right now: these are keyword (BM25) results only.'));
    }
    if (docs.length === 0) {
      status.textContent = '';
      status.dataset.kind = '';
      nodes.push(el('div', { class: 'empty no-results' },
          el('p', null, 'No matches for ', el('q', null, query), '.'),
          el('p', { class: 'muted' }, 'Try other words, another mode, or index more documents.')));
    } else {
      const docCount = reply.total_documents ?? docs.length;
      const chunkCount = reply.total_chunks ?? docs.reduce((n, d) => n + (d.chunks?.length ?? 0), 0);
      status.textContent = `${formatNumber(docCount)} document${docCount === 1 ? '' : 's'} · `
          + `${formatNumber(chunkCount)} passage${chunkCount === 1 ? '' : 's'}`
          + (reply.query_time_ms !== undefined ? ` · ${formatDecimal(reply.query_time_ms)} ms` : '');
      status.dataset.kind = 'ok';
      nodes.push(...docs.map(renderResult));
      const citations = renderCitations(reply.citations);
      if (citations) {
        nodes.push(citations);
      }
    }
    results.replaceChildren(...nodes);
  }
}
