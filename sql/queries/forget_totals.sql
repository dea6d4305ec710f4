-- Over the days the histories' events fall on: each rollup's count column summed, and how much
-- forgetting the histories takes off it (their events the rollup's view counts). Read before a forget's
-- negations and again when one is finished, to tell which of them were applied.
WITH (SELECT groupUniqArray(toDate(timestamp)) FROM events
      WHERE workspace_id = {workspace:String} AND history_id IN {ids:Array(String)}) AS days
SELECT
    (SELECT toInt64(sum(calls)) FROM prompt_daily WHERE workspace_id = {workspace:String} AND has(days, day)) AS PromptCalls,
    (SELECT toInt64(sum(prompts)) FROM product_user_daily WHERE workspace_id = {workspace:String} AND has(days, day)) AS ProductPrompts,
    (SELECT toInt64(sum(queries)) FROM user_institution_daily WHERE workspace_id = {workspace:String} AND has(days, day)) AS InstitutionQueries,
    toInt64(countIf(prompt_id != '')) AS PromptNegated,
    toInt64(countIf(product_id != toUUID('00000000-0000-0000-0000-000000000000'))) AS ProductNegated,
    toInt64(count()) AS InstitutionNegated
FROM events
WHERE workspace_id = {workspace:String} AND history_id IN {ids:Array(String)}
