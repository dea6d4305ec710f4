-- A (prompt-template stats) on the raw events table: calls and cost per requested template and UTC
-- day of the window, without the events of forgotten histories; the caller zero-fills the sparkline.
SELECT prompt_id AS PromptId, toDate(timestamp) AS Day, toInt64(count()) AS Calls, sum(cost) AS Cost
FROM events
WHERE workspace_id = {workspace:String}
  AND toDate(timestamp) >= {from:Date} AND toDate(timestamp) <= {to:Date}
  AND prompt_id IN {ids:Array(String)}
  AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
GROUP BY prompt_id, Day
