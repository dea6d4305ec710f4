-- The users and institutions whose latest profile matches the extract's usersearch. Found once for
-- a request and handed to its other statements, which then keep only these pairs' usage.
SELECT user_id AS User, institution_id AS Institution
FROM user_search_matches(workspace = {workspace:String}, search = {search:String})
