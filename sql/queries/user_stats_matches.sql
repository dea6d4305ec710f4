-- The users and institutions of a workspace whose latest profile matches the extract's usersearch, a
-- case-insensitive substring of the email, first or last name. Found once for a request and handed
-- to its other statements, which then keep only these pairs' usage.
SELECT user_id AS User, institution_id AS Institution
FROM user_profiles
WHERE workspace_id = {workspace:String}
GROUP BY user_id, institution_id
HAVING positionCaseInsensitiveUTF8(argMax(user_email, seen_at), {search:String}) > 0
    OR positionCaseInsensitiveUTF8(argMax(user_fname, seen_at), {search:String}) > 0
    OR positionCaseInsensitiveUTF8(argMax(user_lname, seen_at), {search:String}) > 0
