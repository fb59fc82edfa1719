// What the stashbox plugin's page modules share: reading JSON from data attributes, the stash-box web
// site of an endpoint (its GraphQL URL minus /graphql), links to remote objects, and comparing names
// the way the taxonomy does (NFKC, collapsed spaces, case-folded).

export function json(text, fallback) {
  try {
    return JSON.parse(text ?? "") ?? fallback;
  } catch {
    return fallback;
  }
}

/** "https://stashdb.org/graphql" → "https://stashdb.org". */
export function siteOf(endpoint) {
  let url = String(endpoint ?? "").trim().replace(/\/+$/, "");
  if (url.toLowerCase().endsWith("/graphql")) url = url.slice(0, -"/graphql".length);
  return url.replace(/\/+$/, "");
}

/** The page of a remote object (`kind`: scenes, performers, studios, tags), or null when the
 *  endpoint is not a web address. */
export function remoteUrl(endpoint, kind, stashId) {
  const site = siteOf(endpoint);
  if (!/^https?:\/\//i.test(site) || !stashId) return null;
  return `${site}/${kind}/${encodeURIComponent(stashId)}`;
}

/** The host of a URL, for a stash id whose server is not configured any more. */
export function hostOf(url) {
  try {
    return new URL(url).host || url;
  } catch {
    return String(url ?? "");
  }
}

/** The comparison key of a name (the taxonomy's name_key). */
export function nameKey(name) {
  return String(name ?? "").normalize("NFKC").split(/\s+/).filter(Boolean).join(" ").toLowerCase();
}

/** Run `tasks` (functions returning promises) at most `limit` at a time; resolves with their results. */
export async function limited(tasks, limit = 4) {
  const out = new Array(tasks.length);
  let next = 0;
  async function worker() {
    while (next < tasks.length) {
      const i = next++;
      try {
        out[i] = await tasks[i]();
      } catch (err) {
        out[i] = err;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}
