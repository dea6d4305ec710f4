-- The user-stats extract's summary over every matching row of [start, end), returned or not. A
-- user's and an institution's credits in the window do not depend on how the window is cut into
-- periods, so this groups by user and institution only: far fewer groups than the rows themselves.
-- A pair with any non-zero period has non-zero totals (a period's queries and credits cancel only
-- together), so the pairs are exactly the users and institutions of the matching rows.
WITH
    pairs AS
    (
        SELECT user_id, institution_id, toDecimal128(sum(credits), 6) AS pair_credits
        FROM user_institution_usage(
            workspace = {workspace:String}, start = {start:DateTime64(3, 'UTC')}, end = {end:DateTime64(3, 'UTC')},
            full_from = {full_from:Date}, full_to = {full_to:Date}, accounts = {accounts:Array(String)},
            institutions = {institutions:Array(String)}, role = {role:String}, search = {search:String}, matched_only = {matched_only:Bool},
            matched_users = {matched_users:Array(String)}, matched_institutions = {matched_institutions:Array(String)})
        GROUP BY user_id, institution_id
        HAVING sum(queries) != 0 OR pair_credits != 0
    ),
    at_cap AS
    (
        -- Users whose lifetime credits reached their cap.
        SELECT c.user_id AS user_id
        FROM user_caps_latest(workspace = {workspace:String}) AS c
        INNER JOIN user_lifetimes(workspace = {workspace:String}) AS l ON l.user_id = c.user_id
        WHERE l.lifetime_used >= c.cap_limit
    ),
    institutions AS
    (
        SELECT institution_id, sum(pair_credits) AS institution_credits, count() AS users,
               uniqExactState(user_id) AS distinct_users,
               uniqExactIfState(user_id, user_id IN (SELECT user_id FROM at_cap)) AS capped_users
        FROM pairs
        GROUP BY institution_id
    )
SELECT toDecimal128(sum(institution_credits), 6) AS TotalCredits,
       toInt64(uniqExactMerge(distinct_users)) AS UserCount,
       toInt64(uniqExactIfMerge(capped_users)) AS UsersAtCap,
       toInt64(count()) AS InstitutionCount,
       toDecimal128(sum(toDecimal128(institution_credits, 12) / users), 12) AS InstitutionMeanSum
FROM institutions
