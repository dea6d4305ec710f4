-- B (prompt usage) on the raw events table: prompts per product, user and UTC day, with the latest
-- product name and user email/full name seen over all time (forgotten histories aside), looked up
-- only for the ids in the answer.
WITH
    usage AS
    (
        SELECT toDate(timestamp) AS day, product_id, user_id, toInt64(count()) AS prompt_count
        FROM events
        WHERE workspace_id = {workspace:String}
          AND toDate(timestamp) >= {start:Date} AND toDate(timestamp) <= {end:Date}
          AND product_id != toUUID('00000000-0000-0000-0000-000000000000')
          AND (empty({products:Array(UUID)}) OR product_id IN {products:Array(UUID)})
          AND ({origin:String} = '' OR origin = {origin:String})
          AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
        GROUP BY day, product_id, user_id
    ),
    products AS
    (
        SELECT product_id, argMax(product_name, timestamp) AS product_name
        FROM events
        WHERE workspace_id = {workspace:String} AND product_id IN (SELECT product_id FROM usage)
          AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
        GROUP BY product_id
    ),
    users AS
    (
        SELECT user_id, argMax(user_email, timestamp) AS user_email,
               argMax(trimBoth(concat(user_fname, ' ', user_lname)), timestamp) AS full_name
        FROM events
        WHERE workspace_id = {workspace:String} AND user_id IN (SELECT user_id FROM usage)
          AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)
        GROUP BY user_id
    )
SELECT u.product_id AS ProductId, p.product_name AS ProductName, u.user_id AS UserId, s.user_email AS UserEmail,
       u.day AS Date, u.prompt_count AS PromptCount
FROM usage AS u
LEFT JOIN products AS p ON p.product_id = u.product_id
LEFT JOIN users AS s ON s.user_id = u.user_id
WHERE {search:String} = ''
   OR positionCaseInsensitiveUTF8(s.user_email, {search:String}) > 0
   OR positionCaseInsensitiveUTF8(s.full_name, {search:String}) > 0
ORDER BY Date, ProductName, UserEmail, ProductId, UserId
