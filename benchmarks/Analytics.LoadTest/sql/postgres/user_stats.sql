-- C (user-stats extract): usage per user, institution and period in [start, end), the latest
-- profile per user and institution, lifetime credits per user (all without forgotten histories) and
-- caps; at most 5001 rows, each with the summary over every matching row.
WITH usage AS
(
    SELECT user_id, institution_id,
           CASE :'granularity'
               WHEN 'week' THEN date_trunc('week', ts AT TIME ZONE 'UTC')::date
               WHEN 'month' THEN date_trunc('month', ts AT TIME ZONE 'UTC')::date
               ELSE (ts AT TIME ZONE 'UTC')::date
           END AS period,
           count(*) AS query_count, sum(credits) AS credits_used
    FROM events AS e
    WHERE workspace_id = :'workspace'
      AND ts >= :'start'::timestamptz AND ts < :'end'::timestamptz
      AND (cardinality(:'accounts'::text[]) = 0 OR account_id = ANY (:'accounts'::text[]))
      AND (cardinality(:'institutions'::text[]) = 0 OR institution_id = ANY (:'institutions'::text[]))
      AND (:'role' = '' OR user_role = :'role')
      AND NOT EXISTS (SELECT 1 FROM forgotten_histories AS f WHERE f.workspace_id = e.workspace_id AND f.history_id = e.history_id)
    GROUP BY 1, 2, 3
),
keys AS (SELECT DISTINCT user_id, institution_id FROM usage),
profiles AS
(
    SELECT k.user_id, k.institution_id, l.email, l.fname, l.lname, l.instance_name, l.ai_name
    FROM keys AS k
    CROSS JOIN LATERAL (SELECT x.user_email AS email, x.user_fname AS fname, x.user_lname AS lname, x.instance_name, x.ai_name
                        FROM events AS x
                        WHERE x.workspace_id = :'workspace' AND x.user_id = k.user_id AND x.institution_id = k.institution_id
                          AND NOT EXISTS (SELECT 1 FROM forgotten_histories AS f WHERE f.workspace_id = x.workspace_id AND f.history_id = x.history_id)
                        ORDER BY x.ts DESC LIMIT 1) AS l
),
lifetime AS
(
    SELECT x.user_id, sum(x.credits) AS lifetime_used
    FROM events AS x
    WHERE x.workspace_id = :'workspace' AND x.user_id IN (SELECT user_id FROM keys)
      AND NOT EXISTS (SELECT 1 FROM forgotten_histories AS f WHERE f.workspace_id = x.workspace_id AND f.history_id = x.history_id)
    GROUP BY x.user_id
),
matched AS
(
    SELECT u.user_id, u.institution_id, u.period, u.query_count, u.credits_used,
           p.email, p.fname, p.lname, p.instance_name, p.ai_name, l.lifetime_used, c.cap_limit,
           coalesce(l.lifetime_used >= c.cap_limit, false) AS at_cap
    FROM usage AS u
    LEFT JOIN profiles AS p ON p.user_id = u.user_id AND p.institution_id = u.institution_id
    LEFT JOIN lifetime AS l ON l.user_id = u.user_id
    LEFT JOIN user_caps AS c ON c.workspace_id = :'workspace' AND c.user_id = u.user_id
    WHERE :'search' = ''
       OR strpos(lower(p.email), lower(:'search')) > 0
       OR strpos(lower(p.fname), lower(:'search')) > 0
       OR strpos(lower(p.lname), lower(:'search')) > 0
),
per_institution AS
(
    SELECT institution_id, sum(credits_used) AS credits, count(DISTINCT user_id) AS users FROM matched GROUP BY institution_id
),
summary AS
(
    SELECT (SELECT sum(credits_used) FROM matched) AS total_credits,
           (SELECT count(DISTINCT user_id) FROM matched) AS user_count,
           (SELECT count(DISTINCT user_id) FROM matched WHERE at_cap) AS users_at_cap,
           (SELECT count(*) FROM per_institution) AS institution_count,
           (SELECT sum(credits / users) FROM per_institution) AS institution_mean_sum
)
SELECT m.*, s.*
FROM (SELECT * FROM matched ORDER BY period, user_id, institution_id LIMIT 5001) AS m
CROSS JOIN summary AS s
ORDER BY m.period, m.user_id, m.institution_id;
