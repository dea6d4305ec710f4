-- Prompts per product, user and UTC day over the workspace, from the daily rollup (summed at query
-- time: rows of a key may not be merged yet, and forgetting adds negated rows). Names and emails are
-- the latest sent for each id (each field the latest non-empty value, over all of a user's
-- institutions; the text after each field's 23-character timestamp); search matches the user's latest
-- email or full name. Rows are ordered by date, then product name and user email case-insensitively
-- (as a client sorting names expects: "alpha" before "Zeta"), then byte order and the ids, so that the
-- order is total. The columns are the answer's fields, in its order: the engine writes the JSON the
-- API returns.
WITH
    usage AS
    (
        SELECT day, product_id, user_id, toInt64(sum(prompts)) AS prompt_count
        FROM product_user_daily
        WHERE workspace_id = {workspace:String}
          AND day >= {start:Date} AND day <= {end:Date}
          AND (empty({products:Array(UUID)}) OR product_id IN {products:Array(UUID)})
          AND ({origin:String} = '' OR origin = {origin:String})
        GROUP BY day, product_id, user_id
        HAVING prompt_count != 0
    ),
    products AS
    (
        SELECT product_id, substring(max(product_name), 24) AS product_name
        FROM product_names_sent
        WHERE workspace_id = {workspace:String}
        GROUP BY product_id
    ),
    users AS
    (
        SELECT user_id, substring(max(user_email), 24) AS user_email,
               trimBoth(concat(substring(max(user_fname), 24), ' ', substring(max(user_lname), 24))) AS full_name
        FROM user_profiles_sent
        WHERE workspace_id = {workspace:String}
        GROUP BY user_id
    )
SELECT u.product_id AS product_id, p.product_name AS product_name, u.user_id AS user_id, s.user_email AS user_email,
       u.day AS date, u.prompt_count AS prompt_count
FROM usage AS u
LEFT JOIN products AS p ON p.product_id = u.product_id
LEFT JOIN users AS s ON s.user_id = u.user_id
WHERE {search:String} = ''
   OR positionCaseInsensitiveUTF8(s.user_email, {search:String}) > 0
   OR positionCaseInsensitiveUTF8(s.full_name, {search:String}) > 0
ORDER BY date, lowerUTF8(product_name), lowerUTF8(user_email), product_name, user_email, product_id, user_id
