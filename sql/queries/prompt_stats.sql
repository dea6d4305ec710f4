-- Calls and cost per requested prompt template and UTC day of the window, from the daily rollup.
-- Rows of one key may not be merged yet (and forgetting adds negated rows), so sum at query time.
-- Days without calls are absent here; the handler zero-fills the sparkline.
SELECT prompt_id AS PromptId, day AS Day, toInt64(sum(calls)) AS Calls, toDecimal128(sum(cost), 9) AS Cost
FROM prompt_daily
WHERE workspace_id = {workspace:String}
  AND prompt_id IN {ids:Array(String)}
  AND day >= {from:Date} AND day <= {to:Date}
GROUP BY prompt_id, day
HAVING Calls != 0 OR Cost != 0
