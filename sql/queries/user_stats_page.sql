-- Rows of the user-stats extract in [start, end): one per user, institution and period with non-zero
-- usage, in the extract's order, at most {limit}. The handler reads the window's periods from the
-- earliest, a few at a time, until it has a page, so that a page of a long window groups only its
-- first periods. Names, lifetimes and caps of the page's users come from user_stats_people.sql.
SELECT user_id AS User, institution_id AS Institution,
       multiIf({granularity:String} = 'week', toMonday(day), {granularity:String} = 'month', toStartOfMonth(day), day) AS PeriodStart,
       toInt64(sum(queries)) AS QueryCount, toDecimal128(sum(credits), 6) AS CreditsUsed
FROM user_institution_usage(
    workspace = {workspace:String}, start = {start:DateTime64(3, 'UTC')}, end = {end:DateTime64(3, 'UTC')},
    full_from = {full_from:Date}, full_to = {full_to:Date}, accounts = {accounts:Array(String)},
    institutions = {institutions:Array(String)}, role = {role:String}, search = {search:String}, matched_only = {matched_only:Bool},
    matched_users = {matched_users:Array(String)}, matched_institutions = {matched_institutions:Array(String)})
GROUP BY User, Institution, PeriodStart
HAVING QueryCount != 0 OR CreditsUsed != 0
ORDER BY PeriodStart, User, Institution
LIMIT {limit:UInt32}
