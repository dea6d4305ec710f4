import { h, message } from '../dom.js';
import { formatInstant, formatInt } from '../format.js';

export const title = 'Ingestion';

export async function render(view, ctx) {
  const { api, who, signal } = ctx;
  const admin = who.scopes.includes('admin');
  const [stats, quarantine] = await Promise.all([api.ingestionStats(signal), admin ? api.quarantine(20, signal) : null]);
  const counts = (name, w) => ['accepted', 'duplicates', 'quarantined'].map((c) =>
    h('td', { class: 'num', dataset: { field: `${name}.${c}`, value: w[c] } }, formatInt(w[c])));
  view.replaceChildren(
    h('table', { class: 'data compact', id: 'ingestion-counts' },
      h('caption', {}, `Stored by ingestion, counted per minute, as of ${formatInstant(stats.as_of)}`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Window'), ['Accepted', 'Duplicates', 'Quarantined'].map((c) => h('th', { scope: 'col', class: 'num' }, c)))),
      h('tbody', {},
        h('tr', {}, h('th', { scope: 'row' }, 'Last hour'), counts('last_hour', stats.last_hour)),
        h('tr', {}, h('th', { scope: 'row' }, 'Last day'), counts('last_day', stats.last_day)))),
    h('dl', { class: 'summary' },
      h('div', { class: 'figure', dataset: { field: 'spool_batches', value: stats.spool_batches } }, h('dt', {}, 'Spool depth (batches waiting for ClickHouse)'), h('dd', {}, formatInt(stats.spool_batches))),
      h('div', { class: 'figure', dataset: { field: 'buffered', value: stats.buffered } }, h('dt', {}, 'Buffered, not yet stored'), h('dd', {}, formatInt(stats.buffered)))),
    h('section', { 'aria-labelledby': 'quarantine-title' },
      h('h3', { id: 'quarantine-title' }, 'Latest quarantined lines'),
      !admin ? message('empty', 'The quarantined lines hold what the gateway sent; they need an admin key.')
        : quarantine.lines.length === 0 ? message('empty', 'No line was quarantined.')
          : h('table', { class: 'data', id: 'quarantine' },
            h('thead', {}, h('tr', {}, ['Received', 'Line', 'Reason', 'Raw line'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, quarantine.lines.map((l) => h('tr', {},
              h('td', {}, formatInstant(l.received_at)),
              h('td', { class: 'num' }, l.line),
              h('th', { scope: 'row', class: 'reason' }, l.reason),
              h('td', {}, h('code', { class: 'raw' }, l.raw), l.raw_truncated ? h('span', { class: 'muted' }, ' (cut)') : null)))))));
}
