// The key lives in sessionStorage only: it goes when the tab closes, and never into a URL or a cookie.
const KEY = 'analytics.key';
const WORKSPACE = 'analytics.workspace';

export const session = {
  get key() { return sessionStorage.getItem(KEY); },
  get workspace() { return sessionStorage.getItem(WORKSPACE); },
  signIn(key) { sessionStorage.setItem(KEY, key); },
  chooseWorkspace(workspace) { sessionStorage.setItem(WORKSPACE, workspace); },
  signOut() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(WORKSPACE);
  },
};
