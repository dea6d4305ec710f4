-- User-stats extract without a user search (user_stats_search.sql with one): one row per user,
-- institution and period with non-zero usage in [start, end), at most {limit} rows, each carrying the
-- summary over every matching user (not only those returned). Whole UTC days of the window come from
-- the daily rollup (net of forgotten histories); the partial days at its edges, when a bound is not at
-- UTC midnight, come from raw events minus forgotten histories. Rollup rows of one key may not be
-- merged yet, so everything is summed at query time.
--
-- Rows are ordered by period first, so the page only groups the days before {page_to}: the handler
-- asks for the window's first period, and for the whole window when that does not fill the page. The
-- summary needs no periods: it sums each user and institution over the whole window. Names, lifetime
-- credits and caps are joined to the page's rows only.
WITH
    source AS
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
          AND timestamp >= {start:DateTime64(3, 'UTC')} AND timestamp < {end:DateTime64(3, 'UTC')}
          AND (timestamp < toDateTime64({full_from:Date}, 3, 'UTC') OR timestamp >= toDateTime64({full_to:Date}, 3, 'UTC'))
          AND (empty({accounts:Array(String)}) OR account_id IN {accounts:Array(String)})
          AND (empty({institutions:Array(String)}) OR institution_id IN {institutions:Array(String)})
          AND ({role:String} = '' OR user_role = {role:String})
          AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
    ),
    lifetime AS
    (
        SELECT user_id, toDecimal128(sum(credits), 6) AS lifetime_used
        FROM user_institution_daily
        WHERE workspace_id = {workspace:String}
        GROUP BY user_id
    ),
    caps AS
    (
        SELECT user_id, argMax(cap_limit, version) AS cap_limit
        FROM user_caps
        WHERE workspace_id = {workspace:String}
        GROUP BY user_id
    ),
    at_cap AS
    (
        -- Capped users whose lifetime credits reached the cap.
        SELECT c.user_id AS user_id
        FROM caps AS c
        INNER JOIN lifetime AS l ON l.user_id = c.user_id
        WHERE ifNull(l.lifetime_used >= c.cap_limit, 0)
    ),
    summary AS
    (
        -- Users are counted once per institution here; uniqExact states count them once overall.
        SELECT toDecimal128(sum(institution_credits), 6) AS total_credits,
               toInt64(uniqExactMerge(users)) AS user_count,
               toInt64(uniqExactMerge(users_at_cap)) AS users_at_cap,
               toInt64(count()) AS institution_count,
               toDecimal128(sum(toDecimal128(institution_credits, 12) / institution_users), 12) AS institution_mean_sum
        FROM
        (
            SELECT institution_id, sum(credits_used) AS institution_credits, count() AS institution_users,
                   uniqExactState(user_id) AS users, uniqExactState(if(user_id IN at_cap, user_id, NULL)) AS users_at_cap
            FROM
            (
                SELECT user_id, institution_id, sum(queries) AS query_count, sum(credits) AS credits_used
                FROM source
                GROUP BY user_id, institution_id
                HAVING query_count != 0 OR credits_used != 0
            )
            GROUP BY institution_id
        )
    ),
    page AS
    (
        SELECT user_id, institution_id,
               multiIf({granularity:String} = 'week', toMonday(day), {granularity:String} = 'month', toStartOfMonth(day), day) AS period,
               toInt64(sum(queries)) AS query_count, toDecimal128(sum(credits), 6) AS credits_used
        FROM source
        WHERE day < {page_to:Date32}
        GROUP BY user_id, institution_id, period
        HAVING query_count != 0 OR credits_used != 0
        ORDER BY period, user_id, institution_id
        LIMIT {limit:UInt32}
    ),
    profiles AS
    (
        SELECT user_id, institution_id,
               argMax(user_email, seen_at) AS email, argMax(user_fname, seen_at) AS fname, argMax(user_lname, seen_at) AS lname,
               argMax(instance_name, seen_at) AS instance_name, argMax(ai_name, seen_at) AS ai_name
        FROM user_profiles
        WHERE workspace_id = {workspace:String}
        GROUP BY user_id, institution_id
    )
SELECT g.user_id AS User, p.email AS Email, p.fname AS Fname, p.lname AS Lname, g.institution_id AS Institution,
       p.instance_name AS InstanceName, p.ai_name AS AiName, g.period AS PeriodStart,
       g.query_count AS QueryCount, g.credits_used AS CreditsUsed, l.lifetime_used AS LifetimeUsed,
       c.cap_limit AS CapLimit, toBool(ifNull(l.lifetime_used >= c.cap_limit, 0)) AS AtCap,
       s.total_credits AS TotalCredits, s.user_count AS UserCount, s.users_at_cap AS UsersAtCap,
       s.institution_count AS InstitutionCount, s.institution_mean_sum AS InstitutionMeanSum
FROM page AS g
LEFT JOIN profiles AS p ON p.user_id = g.user_id AND p.institution_id = g.institution_id
LEFT JOIN lifetime AS l ON l.user_id = g.user_id
LEFT JOIN caps AS c ON c.user_id = g.user_id
CROSS JOIN summary AS s
ORDER BY PeriodStart, User, Institution
