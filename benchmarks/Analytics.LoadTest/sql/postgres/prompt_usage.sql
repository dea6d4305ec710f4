-- B (prompt usage): prompts per product, user and UTC day, with the latest product name and user
-- email/full name (forgotten histories aside), looked up by index for the ids in the answer only.
WITH usage AS
(
    SELECT (ts AT TIME ZONE 'UTC')::date AS day, product_id, user_id, count(*) AS prompt_count
    FROM events AS e
    WHERE workspace_id = :'workspace'
      AND ts >= (:'start'::date)::timestamp AT TIME ZONE 'UTC' AND ts < (:'end'::date + 1)::timestamp AT TIME ZONE 'UTC'
      AND product_id IS NOT NULL
      AND (cardinality(:'products'::uuid[]) = 0 OR product_id = ANY (:'products'::uuid[]))
      AND (:'origin' = '' OR origin = :'origin')
      AND NOT EXISTS (SELECT 1 FROM forgotten_histories AS f WHERE f.workspace_id = e.workspace_id AND f.history_id = e.history_id)
    GROUP BY 1, 2, 3
),
products AS
(
    SELECT p.product_id, l.product_name
    FROM (SELECT DISTINCT product_id FROM usage) AS p
    CROSS JOIN LATERAL (SELECT x.product_name FROM events AS x
                        WHERE x.workspace_id = :'workspace' AND x.product_id = p.product_id
                          AND NOT EXISTS (SELECT 1 FROM forgotten_histories AS f WHERE f.workspace_id = x.workspace_id AND f.history_id = x.history_id)
                        ORDER BY x.ts DESC LIMIT 1) AS l
),
users AS
(
    SELECT u.user_id, l.user_email, l.full_name
    FROM (SELECT DISTINCT user_id FROM usage) AS u
    CROSS JOIN LATERAL (SELECT x.user_email, btrim(x.user_fname || ' ' || x.user_lname) AS full_name FROM events AS x
                        WHERE x.workspace_id = :'workspace' AND x.user_id = u.user_id
                          AND NOT EXISTS (SELECT 1 FROM forgotten_histories AS f WHERE f.workspace_id = x.workspace_id AND f.history_id = x.history_id)
                        ORDER BY x.ts DESC LIMIT 1) AS l
)
SELECT u.product_id, p.product_name, u.user_id, s.user_email, u.day, u.prompt_count
FROM usage AS u
LEFT JOIN products AS p ON p.product_id = u.product_id
LEFT JOIN users AS s ON s.user_id = u.user_id
WHERE :'search' = ''
   OR strpos(lower(s.user_email), lower(:'search')) > 0
   OR strpos(lower(s.full_name), lower(:'search')) > 0
ORDER BY u.day, p.product_name, s.user_email, u.product_id, u.user_id;
