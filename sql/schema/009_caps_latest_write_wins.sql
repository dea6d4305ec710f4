-- The latest cap of each user, null when the latest write removed it. argMax skips NULL values, so over
-- Nullable(cap_limit) it picked the latest non-null cap: a cleared cap came back until a merge dropped the
-- older rows. A tuple is never NULL, so argMax over tuple(cap_limit) takes the latest write, null or not.
CREATE OR REPLACE VIEW user_caps_latest AS
SELECT user_id, argMax(tuple(cap_limit), version).1 AS cap_limit
FROM user_caps
WHERE workspace_id = {workspace:String}
GROUP BY user_id;
