import { h, message } from '../dom.js';
import { sparkline } from '../charts.js';
import { formatCost, formatInt } from '../format.js';

export const title = 'Prompt templates';

/** The window's top templates (from the rollup), then A's stats for exactly those ids: calls, cost, sparkline. */
export async function render(view, ctx) {
  const { api, range, signal } = ctx;
  const top = await api.topTemplates(range, 25, signal);
  if (top.templates.length === 0) {
    view.replaceChildren(message('empty', `No prompt template was called from ${range.from} to ${range.to}.`));
    return;
  }
  const ids = top.templates.map((t) => t.prompt_id);
  const { stats } = await api.templateStats(range, ids, signal);
  const rows = ids.map((id) => {
    const s = stats[id];
    return h('tr', { dataset: { prompt: id } },
      h('th', { scope: 'row', class: 'id' }, id),
      h('td', { class: 'num', dataset: { field: 'calls', value: s.total_calls } }, formatInt(s.total_calls)),
      h('td', { class: 'num', dataset: { field: 'cost', value: s.cost_sum }, title: `$${s.cost_sum}` }, formatCost(s.cost_sum)),
      h('td', { class: 'spark', dataset: { field: 'sparkline', values: s.call_sparkline.map((p) => p.value).join(',') } }, sparkline(s.call_sparkline)));
  });
  const shown = top.total_templates > ids.length ? `the ${ids.length} most called of ${formatInt(top.total_templates)}` : `all ${ids.length}`;
  view.replaceChildren(
    h('table', { class: 'data', id: 'templates-table' },
      h('caption', {}, `Prompt templates called from ${range.from} to ${range.to}: ${shown}, most calls first`),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Template'), h('th', { scope: 'col', class: 'num' }, 'Calls'),
        h('th', { scope: 'col', class: 'num' }, 'Cost'), h('th', { scope: 'col' }, 'Calls per day'))),
      h('tbody', {}, rows)));
}
