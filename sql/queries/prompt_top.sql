-- The window's most-called prompt templates, from the daily rollup, for the dashboard to list before it
-- asks the stats API for their sparklines. Rows of one key may not be merged yet (and forgetting adds
-- negated rows), so sum at query time; templates whose calls cancelled out are not listed.
SELECT prompt_id AS PromptId, toInt64(sum(calls)) AS Calls, toDecimal128(sum(cost), 9) AS Cost, toInt64(count() OVER ()) AS Templates
FROM prompt_daily
WHERE workspace_id = {workspace:String}
  AND day >= {from:Date} AND day <= {to:Date}
GROUP BY prompt_id
HAVING Calls != 0
ORDER BY Calls DESC, Cost DESC, PromptId
LIMIT {limit:UInt32}
