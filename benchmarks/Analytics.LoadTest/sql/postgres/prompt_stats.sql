-- A (prompt-template stats): calls and cost per requested template and UTC day of the window.
SELECT prompt_id, (ts AT TIME ZONE 'UTC')::date AS day, count(*) AS calls, sum(cost) AS cost
FROM events AS e
WHERE workspace_id = :'workspace'
  AND prompt_id = ANY (:'ids'::text[])
  AND ts >= (:'from'::date)::timestamp AT TIME ZONE 'UTC' AND ts < (:'to'::date + 1)::timestamp AT TIME ZONE 'UTC'
  AND NOT EXISTS (SELECT 1 FROM forgotten_histories AS f WHERE f.workspace_id = e.workspace_id AND f.history_id = e.history_id)
GROUP BY 1, 2;
