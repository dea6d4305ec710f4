// The dashboard's only way to the service: the three query APIs, the ingestion counts, and what a key
// may do. Each API gets its credential in the header its vendor's clients use, so the page asks exactly
// what a client would.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }

  /** What the page says: the status and the service's own words. */
  get text() {
    return this.status === 0 ? this.message : `The service answered ${this.status}: ${this.message}`;
  }
}

/** The message in any of the service's error shapes: A's envelope, B's detail, C's error, the service's own. */
function reason(status, text) {
  try {
    const body = JSON.parse(text);
    if (typeof body.message === 'string' && body.code !== undefined) return body.message;
    if (typeof body.detail === 'string') return body.detail;
    if (Array.isArray(body.detail)) return body.detail.map((d) => `${(d.loc ?? []).join('.')}: ${d.msg}`).join('; ');
    if (typeof body.error === 'string') return body.error;
  } catch {
    // not JSON: fall through to the text itself
  }
  return text.trim().slice(0, 300) || `HTTP ${status}`;
}

export function createApi({ key, workspace }) {
  async function send(path, { method = 'GET', body, credential = 'Authorization', accept = 'application/json', workspaceHeader = false, signal } = {}) {
    const headers = { Accept: accept };
    headers[credential] = credential === 'Authorization' ? `Bearer ${key}` : key;
    if (workspaceHeader && workspace) headers['X-Workspace-Id'] = workspace;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store' });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(0, `Could not reach the service (${e.message}).`);
    }
    if (!response.ok) throw new ApiError(response.status, reason(response.status, await response.text()));
    return response;
  }

  const json = async (path, options) => (await send(path, options)).json();

  /** A's envelope: code 0 is success, anything else an error even on a 200. */
  async function envelope(path, body, signal) {
    const answer = await json(path, { method: 'POST', body, workspaceHeader: true, signal });
    if (answer.code !== 0) throw new ApiError(200, answer.message);
    return answer.data;
  }

  return {
    whoami: (signal) => json('/v1/auth/whoami', { signal }),
    workspaces: (signal) => json('/v1/admin/workspaces', { signal }),

    /** The window's most-called templates, then A's stats (and sparklines) for exactly those. */
    topTemplates: (range, limit, signal) => envelope('/v1/analytics/saas/prompt-templates/top', { dateFrom: range.from, dateTo: range.to, limit }, signal),
    templateStats: (range, ids, signal) => envelope('/v1/analytics/saas/prompt-templates/stats', { dateFrom: range.from, dateTo: range.to, prompt_ids: ids }, signal),

    /** B: any product id of the workspace opens the door for an unbound key; a bound key must use its own. */
    promptUsage(productId, query, signal) {
      const params = new URLSearchParams({ start_date: query.from, end_date: query.to });
      for (const id of query.products ?? []) params.append('product_ids', id);
      if (query.search) params.set('search', query.search);
      if (query.origin) params.set('origin', query.origin);
      return json(`/api/v1/products/${encodeURIComponent(productId)}/usage/prompts?${params}`, { credential: 'X-API-Key', workspaceHeader: true, signal });
    },

    /** C, as JSON or, with the same body, as CSV. */
    userStats: (body, signal) => json('/api/admin/histories/charts/user-stats', { method: 'POST', body, credential: 'x-access-token', workspaceHeader: true, signal }),
    userStatsCsv: async (body, signal) => (await send('/api/admin/histories/charts/user-stats', { method: 'POST', body, credential: 'x-access-token', accept: 'text/csv', workspaceHeader: true, signal })).blob(),

    ingestionStats: (signal) => json('/v1/ingestion/stats', { workspaceHeader: true, signal }),
    quarantine: (limit, signal) => json(`/v1/ingestion/quarantine?limit=${limit}`, { workspaceHeader: true, signal }),
  };
}
