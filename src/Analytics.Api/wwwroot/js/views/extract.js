import { h, field, message } from '../dom.js';
import { capBar } from '../charts.js';
import { formatDecimal, formatInstant, formatInt } from '../format.js';

export const title = 'Credit extract';
export const needs = 'admin';

// The form's state survives switching views; the request body is built from it alone, for JSON and CSV alike.
const form = { granularity: 'day', window: 'default', range: '-7', start: '', end: '', account: '', institution: '', role: '', usersearch: '' };

/** The user-stats body exactly as the form says: only the fields that are set. */
export function requestBody() {
  const body = { granularity: form.granularity };
  if (form.window === 'range') body.range = Number(form.range);
  if (form.window === 'daterange') body.daterange = { start: `${form.start}T00:00:00Z`, end: `${form.end}T00:00:00Z` };
  for (const name of ['account', 'institution', 'role', 'usersearch']) if (form[name]) body[name] = form[name];
  return body;
}

export async function render(view, ctx) {
  const { api, signal } = ctx;
  const results = h('div', { class: 'results', 'aria-live': 'polite' });
  view.replaceChildren(filterForm(ctx), results);
  const body = requestBody();
  const answer = await api.userStats(body, signal);
  const window = `${formatInstant(answer.windowStart)} to ${formatInstant(answer.windowEnd)} (end excluded)`;
  const source = answer.windowSource === 'default' ? `the default window of ${answer.defaultDaysApplied} days` : `the ${answer.windowSource}`;

  results.replaceChildren(
    h('dl', { class: 'summary', id: 'extract-summary' },
      figure('Window', `${window}, from ${source}, by ${answer.granularity}`, 'window'),
      figure('Mean credits per user (account)', formatDecimal(answer.summary.meanCreditsPerUserAccount), 'meanCreditsPerUserAccount', answer.summary.meanCreditsPerUserAccount),
      figure('Mean credits per user (institution)', formatDecimal(answer.summary.meanCreditsPerUserInstitution), 'meanCreditsPerUserInstitution', answer.summary.meanCreditsPerUserInstitution),
      figure('Users at cap', formatInt(answer.summary.usersAtCap), 'usersAtCap', answer.summary.usersAtCap),
      figure('Rows', `${formatInt(answer.data.length)}${answer.truncated ? ' (truncated: more matched)' : ''}`, 'rows', answer.data.length)),
    h('p', { class: `truncation${answer.truncated ? ' warn' : ''}`, id: 'extract-truncated', dataset: { truncated: answer.truncated } },
      answer.truncated
        ? `Truncated: yes. More rows matched than the ${formatInt(answer.data.length)} shown; narrow the filters or the window to see them all. The summary covers every matching row.`
        : 'Truncated: no. Every matching row is shown.'),
    h('div', { class: 'actions' }, h('button', { type: 'button', id: 'extract-csv', onclick: (e) => downloadCsv(e.currentTarget, ctx, body) }, 'Download CSV of this request')),
    answer.data.length === 0 ? message('empty', 'No usage matched.') : table(answer.data));
}

function figure(label, text, name, value) {
  return h('div', { class: 'figure', dataset: { field: name, value } }, h('dt', {}, label), h('dd', {}, text));
}

function table(rows) {
  return h('table', { class: 'data', id: 'extract-rows' },
    h('caption', {}, 'One row per user, institution and period, as the extract orders them'),
    h('thead', {}, h('tr', {}, ['Period', 'User', 'Email', 'Name', 'Institution', 'Queries', 'Credits', 'Lifetime', 'Cap', 'Cap used']
      .map((c, i) => h('th', { scope: 'col', class: i >= 5 && i <= 8 ? 'num' : null }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', { dataset: { user: r.user, institution: r.institution, period: r.periodStart, atCap: r.atCap } },
      h('td', {}, formatInstant(r.periodStart)),
      h('th', { scope: 'row', class: 'id' }, r.user),
      h('td', {}, r.email),
      h('td', {}, [r.fname, r.lname].filter(Boolean).join(' ')),
      h('td', {}, r.institution),
      h('td', { class: 'num', dataset: { field: 'queryCount', value: r.queryCount } }, formatInt(r.queryCount)),
      h('td', { class: 'num', dataset: { field: 'creditsUsed', value: r.creditsUsed } }, formatDecimal(r.creditsUsed)),
      h('td', { class: 'num', dataset: { field: 'lifetimeUsed', value: r.lifetimeUsed } }, formatDecimal(r.lifetimeUsed)),
      h('td', { class: 'num', dataset: { field: 'capLimit', value: r.capLimit ?? '' } }, r.capLimit == null ? '—' : formatDecimal(r.capLimit)),
      h('td', { dataset: { field: 'capUsedPct', value: r.capUsedPct ?? '' } }, capBar(r.capUsedPct, r.atCap))))));
}

async function downloadCsv(button, ctx, body) {
  const status = button.parentElement.querySelector('.csv-status') ?? button.parentElement.appendChild(h('span', { class: 'csv-status', role: 'status' }));
  button.disabled = true;
  status.textContent = 'Preparing the CSV…';
  try {
    const blob = await ctx.api.userStatsCsv(body);
    const url = URL.createObjectURL(blob);
    const link = h('a', { href: url, download: `user-stats-${body.granularity}.csv`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    status.textContent = 'CSV downloaded.';
  } catch (e) {
    status.textContent = '';
    ctx.fail(e);
  } finally {
    button.disabled = false;
  }
}

function filterForm(ctx) {
  const control = (tag, name, attrs = {}, ...children) => {
    const el = h(tag, { name, ...attrs }, ...children);
    el.value = form[name];
    return el;
  };
  const granularity = control('select', 'granularity', {}, ['day', 'week', 'month'].map((g) => h('option', { value: g }, g)));
  const windowKind = control('select', 'window', {},
    h('option', { value: 'default' }, 'Default (30, 84 or 365 days)'), h('option', { value: 'range' }, 'Last periods'), h('option', { value: 'daterange' }, 'Dates'));
  const range = control('input', 'range', { type: 'number', min: -10000, max: -1, step: 1 });
  const start = control('input', 'start', { type: 'date' });
  const end = control('input', 'end', { type: 'date' });
  const rangeField = h('div', { class: 'window-range' }, field('Periods back (negative)', range, 'e.g. -7: the last 7 periods, the current one included'));
  const datesField = h('div', { class: 'window-dates' }, field('Start (UTC, included)', start), field('End (UTC, excluded)', end));
  const showWindow = () => {
    rangeField.hidden = windowKind.value !== 'range';
    datesField.hidden = windowKind.value !== 'daterange';
  };
  windowKind.addEventListener('change', showWindow);
  showWindow();
  const account = control('input', 'account', { type: 'text', autocomplete: 'off' });
  const institution = control('input', 'institution', { type: 'text', autocomplete: 'off' });
  const role = control('select', 'role', {}, h('option', { value: '' }, 'Any role'), ['user', 'admin', 'super'].map((r) => h('option', { value: r }, r)));
  const usersearch = control('input', 'usersearch', { type: 'search', autocomplete: 'off' });
  const problem = h('p', { class: 'hint', role: 'status' });
  return h('form', { class: 'filters', 'aria-label': 'Extract filters', onsubmit: (e) => {
    e.preventDefault();
    if (windowKind.value === 'daterange' && (!start.value || !end.value)) {
      problem.textContent = 'Choose both dates.';
      return;
    }
    for (const el of [granularity, windowKind, range, start, end, account, institution, role, usersearch]) form[el.name] = el.value.trim();
    ctx.refresh();
  } },
    field('Granularity', granularity), field('Window', windowKind), rangeField, datesField,
    field('Accounts (space-separated ids)', account), field('Institutions (space-separated ids)', institution),
    field('Role', role), field('User email or name contains', usersearch),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Run extract'), problem));
}
