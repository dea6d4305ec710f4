-- API A's whole answer, written by the engine as one JSON document: every requested id in the order given
-- (the handler has made them distinct), zeros when it had no calls, with one sparkline point per day of the
-- window, zero-filled, ascending. Rows of one key may not be merged yet (and forgetting adds negated rows),
-- so the rollup is summed here; a day whose sums are both zero counts as no day.
-- Numbers: calls as integers; cost as the Decimal's text, which has no trailing zeros (1.5, 0, 0.000000001).
WITH per_prompt AS
(
    SELECT prompt_id, sum(calls) AS total_calls, sum(cost) AS cost_sum, mapFromArrays(groupArray(day), groupArray(calls)) AS calls_by_day
    FROM
    (
        SELECT prompt_id, day, toInt64(sum(calls)) AS calls, toDecimal128(sum(cost), 9) AS cost
        FROM prompt_daily
        WHERE workspace_id = {workspace:String}
          AND prompt_id IN {ids:Array(String)}
          AND day >= {from:Date} AND day <= {to:Date}
        GROUP BY prompt_id, day
        HAVING calls != 0 OR cost != 0
    )
    GROUP BY prompt_id
)
SELECT concat('{"code":0,"message":"success","data":{"stats":{',
              arrayStringConcat(arrayMap(entry -> entry.2, arraySort(groupArray((position, entry)))), ','),
              '}}}')
FROM
(
    SELECT position,
           concat(toJSONString(id), ':{"total_calls":', toString(total_calls), ',"cost_sum":', toString(cost_sum), ',"call_sparkline":[',
                  arrayStringConcat(arrayMap(offset -> concat('{"date":"', toString({from:Date} + offset), '","value":', toString(calls_by_day[{from:Date} + offset]), '}'),
                                             range({days:UInt32})), ','),
                  ']}') AS entry
    FROM (SELECT arrayJoin(arrayEnumerate({ids:Array(String)})) AS position, {ids:Array(String)}[position] AS id) AS requested
    LEFT JOIN per_prompt ON per_prompt.prompt_id = requested.id
)
-- An id with no calls takes the join's defaults (0, 0 and an empty map), not NULLs, whatever the server's profile says.
SETTINGS join_use_nulls = 0
