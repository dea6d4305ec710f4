-- What the user-stats extract reads, so that it groups only what an answer needs.
--
-- Lifetime credits per user: an aggregate projection of the daily rollup, kept by the engine with
-- every part (forgetting's negated rows included), so that a user's lifetime is read from about one
-- row per user and part instead of every day of every user. Summing merges rebuild it. Parts written
-- before this migration gain it in the background; until then queries read them as they are.
ALTER TABLE user_institution_daily MODIFY SETTING deduplicate_merge_projection_mode = 'rebuild';

ALTER TABLE user_institution_daily ADD PROJECTION IF NOT EXISTS user_lifetime
(
    SELECT workspace_id, user_id, sum(credits)
    GROUP BY workspace_id, user_id
);

ALTER TABLE user_institution_daily MATERIALIZE PROJECTION user_lifetime;

-- Each user's credits over all time (net of forgotten histories, read through user_lifetime), and
-- each user's latest cap (null when it was removed), in one workspace.
CREATE VIEW IF NOT EXISTS user_lifetimes AS
SELECT user_id, toDecimal128(sum(credits), 6) AS lifetime_used
FROM user_institution_daily
WHERE workspace_id = {workspace:String}
GROUP BY user_id;

CREATE VIEW IF NOT EXISTS user_caps_latest AS
SELECT user_id, argMax(cap_limit, version) AS cap_limit
FROM user_caps
WHERE workspace_id = {workspace:String}
GROUP BY user_id;

-- The users and institutions of a workspace whose latest profile matches a usersearch: a
-- case-insensitive substring of the email, first or last name.
CREATE VIEW IF NOT EXISTS user_search_matches AS
SELECT user_id, institution_id
FROM user_profiles
WHERE workspace_id = {workspace:String}
GROUP BY user_id, institution_id
HAVING positionCaseInsensitiveUTF8(argMax(user_email, seen_at), {search:String}) > 0
    OR positionCaseInsensitiveUTF8(argMax(user_fname, seen_at), {search:String}) > 0
    OR positionCaseInsensitiveUTF8(argMax(user_lname, seen_at), {search:String}) > 0;

-- The usage rows of one workspace in [start, end) that match the extract's filters: whole UTC days
-- [full_from, full_to) from the daily rollup (net of forgotten histories), the partial days at the
-- window's edges from raw events minus forgotten histories, as two ranges so that the primary key
-- skips the days between (when the window lies inside one day, both ranges are the window itself).
-- With matched_only, only the usage of the given users at the given institutions (the pairs of the
-- two arrays: those a usersearch matched); with a search, only that of the pairs user_search_matches
-- finds (for searches with too many matches to hand over). Rows of one key may repeat (unmerged
-- rollup parts, raw events), so readers sum them. The summary and the pages of the extract both
-- read through here, so they agree on what matches.
CREATE VIEW IF NOT EXISTS user_institution_usage AS
SELECT day, user_id, institution_id, queries, credits
FROM
(
    SELECT day, user_id, institution_id, queries, credits
    FROM user_institution_daily
    WHERE workspace_id = {workspace:String}
      AND day >= {full_from:Date} AND day < {full_to:Date}
      AND (empty({accounts:Array(String)}) OR account_id IN {accounts:Array(String)})
      AND (empty({institutions:Array(String)}) OR institution_id IN {institutions:Array(String)})
      AND ({role:String} = '' OR user_role = {role:String})
    UNION ALL
    SELECT toDate(timestamp) AS day, user_id, institution_id, toInt64(1) AS queries, toDecimal128(credits, 6) AS credits
    FROM events
    WHERE workspace_id = {workspace:String}
      AND ((timestamp >= {start:DateTime64(3, 'UTC')}
            AND timestamp < least(toDateTime64({full_from:Date}, 3, 'UTC'), {end:DateTime64(3, 'UTC')}))
           OR (timestamp >= greatest(toDateTime64({full_to:Date}, 3, 'UTC'), {start:DateTime64(3, 'UTC')})
            AND timestamp < {end:DateTime64(3, 'UTC')}))
      AND (empty({accounts:Array(String)}) OR account_id IN {accounts:Array(String)})
      AND (empty({institutions:Array(String)}) OR institution_id IN {institutions:Array(String)})
      AND ({role:String} = '' OR user_role = {role:String})
      AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
)
WHERE (NOT {matched_only:Bool}
       OR (user_id, institution_id) IN arrayZip({matched_users:Array(String)}, {matched_institutions:Array(String)}))
  AND ({search:String} = ''
       OR (user_id, institution_id) IN
          (SELECT user_id, institution_id FROM user_search_matches(workspace = {workspace:String}, search = {search:String})));
