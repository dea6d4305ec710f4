-- C (user-stats extract) on the raw events table: usage per user, institution and period in
-- [start, end), the latest profile per user and institution, lifetime credits per user (all without
-- forgotten histories) and caps; at most {limit} rows, each with the summary over every matching row.
WITH
    usage AS
    (
        SELECT user_id, institution_id,
               multiIf({granularity:String} = 'week', toMonday(timestamp), {granularity:String} = 'month', toStartOfMonth(timestamp), toDate(timestamp)) AS period,
               toInt64(count()) AS query_count, sum(credits) AS credits_used
        FROM events
        WHERE workspace_id = {workspace:String}
          AND timestamp >= {start:DateTime64(3, 'UTC')} AND timestamp < {end:DateTime64(3, 'UTC')}
          AND (empty({accounts:Array(String)}) OR account_id IN {accounts:Array(String)})
          AND (empty({institutions:Array(String)}) OR institution_id IN {institutions:Array(String)})
          AND ({role:String} = '' OR user_role = {role:String})
          AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
        GROUP BY user_id, institution_id, period
    ),
    profiles AS
    (
        SELECT user_id, institution_id,
               argMax(user_email, timestamp) AS email, argMax(user_fname, timestamp) AS fname, argMax(user_lname, timestamp) AS lname,
               argMax(instance_name, timestamp) AS instance_name, argMax(ai_name, timestamp) AS ai_name
        FROM events
        WHERE workspace_id = {workspace:String} AND user_id IN (SELECT user_id FROM usage)
          AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
        GROUP BY user_id, institution_id
    ),
    lifetime AS
    (
        SELECT user_id, sum(credits) AS lifetime_used
        FROM events
        WHERE workspace_id = {workspace:String} AND user_id IN (SELECT user_id FROM usage)
          AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
        GROUP BY user_id
    ),
    caps AS
    (
        SELECT user_id, argMax(tuple(cap_limit), version).1 AS cap_limit
        FROM user_caps
        WHERE workspace_id = {workspace:String}
        GROUP BY user_id
    ),
    matched AS
    (
        SELECT u.user_id AS user_id, u.institution_id AS institution_id, u.period AS period,
               u.query_count AS query_count, u.credits_used AS credits_used,
               p.email AS email, p.fname AS fname, p.lname AS lname, p.instance_name AS instance_name, p.ai_name AS ai_name,
               l.lifetime_used AS lifetime_used, c.cap_limit AS cap_limit,
               toBool(ifNull(l.lifetime_used >= c.cap_limit, 0)) AS at_cap
        FROM usage AS u
        LEFT JOIN profiles AS p ON p.user_id = u.user_id AND p.institution_id = u.institution_id
        LEFT JOIN lifetime AS l ON l.user_id = u.user_id
        LEFT JOIN caps AS c ON c.user_id = u.user_id
        WHERE {search:String} = ''
           OR positionCaseInsensitiveUTF8(p.email, {search:String}) > 0
           OR positionCaseInsensitiveUTF8(p.fname, {search:String}) > 0
           OR positionCaseInsensitiveUTF8(p.lname, {search:String}) > 0
    ),
    ranked AS
    (
        -- Per-institution figures ride on every row, so that the summary needs no second pass over
        -- the matches (a CTE referenced twice is evaluated twice).
        SELECT *,
               sum(credits_used) OVER (PARTITION BY institution_id) AS institution_credits,
               uniqExact(user_id) OVER (PARTITION BY institution_id) AS institution_users,
               row_number() OVER (PARTITION BY institution_id) = 1 AS first_of_institution
        FROM matched
    )
SELECT user_id AS User, email AS Email, fname AS Fname, lname AS Lname, institution_id AS Institution,
       instance_name AS InstanceName, ai_name AS AiName, period AS PeriodStart,
       query_count AS QueryCount, credits_used AS CreditsUsed, lifetime_used AS LifetimeUsed,
       cap_limit AS CapLimit, at_cap AS AtCap,
       toDecimal128(sum(credits_used) OVER (), 6) AS TotalCredits,
       toInt64(uniqExact(user_id) OVER ()) AS UserCount,
       toInt64(uniqExactIf(user_id, at_cap) OVER ()) AS UsersAtCap,
       toInt64(countIf(first_of_institution) OVER ()) AS InstitutionCount,
       toDecimal128(sumIf(toDecimal128(institution_credits, 12) / institution_users, first_of_institution) OVER (), 12) AS InstitutionMeanSum
FROM ranked
ORDER BY period, user_id, institution_id
LIMIT {limit:UInt32}
