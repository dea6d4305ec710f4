import { h, field, message } from '../dom.js';
import { dailyBars } from '../charts.js';
import { daysOf } from '../dates.js';
import { formatInt } from '../format.js';

export const title = 'Usage';

// B takes a product id in its path; a key bound to no product may name any, so the nil UUID stands in.
const ANY_PRODUCT = '00000000-0000-0000-0000-000000000000';
const filters = { products: [], origin: '', search: '' };
const knownProducts = new Map();

/** Prompts per day as bars, and a table per product and user, from B with its own filters. */
export async function render(view, ctx) {
  const { api, range, who, signal } = ctx;
  const results = h('div', { class: 'results', 'aria-live': 'polite' });
  view.replaceChildren(filterForm(() => ctx.refresh()), results);
  const rows = await api.promptUsage(who.product_id ?? ANY_PRODUCT, { ...range, ...filters }, signal);
  for (const r of rows) knownProducts.set(r.product_id, r.product_name || r.product_id);
  view.replaceChildren(filterForm(() => ctx.refresh()), results);
  if (rows.length === 0) {
    results.replaceChildren(message('empty', `No prompts from ${range.from} to ${range.to}${active() ? ' with these filters' : ''}.`));
    return;
  }

  const perDay = new Map(daysOf(range.from, range.to).map((d) => [d, 0]));
  const perUser = new Map();
  for (const r of rows) {
    perDay.set(r.date, (perDay.get(r.date) ?? 0) + r.prompt_count);
    const key = `${r.product_id}\u0000${r.user_id}`;
    const u = perUser.get(key) ?? { product: r.product_name || r.product_id, productId: r.product_id, user: r.user_id, email: r.user_email, prompts: 0, days: 0 };
    u.prompts += r.prompt_count;
    u.days += 1;
    perUser.set(key, u);
  }
  const days = [...perDay].map(([date, value]) => ({ date, value }));
  const users = [...perUser.values()].sort((a, b) => b.prompts - a.prompts || a.product.localeCompare(b.product) || a.email.localeCompare(b.email));
  const total = days.reduce((a, d) => a + d.value, 0);

  results.replaceChildren(
    h('section', { 'aria-labelledby': 'per-day-title' },
      h('h3', { id: 'per-day-title' }, `Prompts per day: ${formatInt(total)} in all`),
      dailyBars(days),
      h('details', {}, h('summary', {}, 'Prompts per day as a table'),
        h('table', { class: 'data compact', id: 'usage-days' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Day (UTC)'), h('th', { scope: 'col', class: 'num' }, 'Prompts'))),
          h('tbody', {}, days.map((d) => h('tr', { dataset: { date: d.date } },
            h('th', { scope: 'row' }, d.date), h('td', { class: 'num', dataset: { value: d.value } }, formatInt(d.value)))))))),
    h('section', { 'aria-labelledby': 'per-user-title' },
      h('h3', { id: 'per-user-title' }, `Per product and user: ${formatInt(users.length)} rows`),
      h('table', { class: 'data', id: 'usage-users' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Product'), h('th', { scope: 'col' }, 'User'),
          h('th', { scope: 'col', class: 'num' }, 'Prompts'), h('th', { scope: 'col', class: 'num' }, 'Active days'))),
        h('tbody', {}, users.map((u) => h('tr', { dataset: { product: u.productId, user: u.user } },
          h('td', {}, u.product), h('th', { scope: 'row' }, u.email || u.user),
          h('td', { class: 'num', dataset: { field: 'prompts', value: u.prompts } }, formatInt(u.prompts)),
          h('td', { class: 'num', dataset: { field: 'days', value: u.days } }, formatInt(u.days))))))));
}

const active = () => filters.products.length > 0 || filters.origin || filters.search;

function filterForm(apply) {
  const search = h('input', { type: 'search', name: 'search', value: filters.search, autocomplete: 'off' });
  const origin = h('select', { name: 'origin' },
    h('option', { value: '' }, 'Any origin'), ['APP', 'SLACK', 'API_KEY'].map((o) => h('option', { value: o }, o)));
  origin.value = filters.origin;
  const products = h('select', { name: 'products', multiple: true, size: Math.min(4, Math.max(2, knownProducts.size)) },
    [...knownProducts].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) =>
      h('option', { value: id, selected: filters.products.includes(id) }, name)));
  return h('form', { class: 'filters', 'aria-label': 'Usage filters', onsubmit: (e) => {
    e.preventDefault();
    filters.search = search.value.trim();
    filters.origin = origin.value;
    filters.products = [...products.selectedOptions].map((o) => o.value);
    apply();
  } },
    field('Products', products, knownProducts.size ? 'None selected: every product' : 'Products appear once the usage has loaded'),
    field('Origin', origin),
    field('User email or name contains', search),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply filters')));
}
