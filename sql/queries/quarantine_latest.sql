-- A workspace's latest quarantined lines, newest first, each raw line cut to its first 2000 characters.
SELECT received_at AS ReceivedAt, toInt32(line) AS Line, reason AS Reason,
       substringUTF8(raw, 1, 2000) AS Raw, lengthUTF8(raw) > 2000 AS RawTruncated
FROM quarantine
WHERE workspace_id = {workspace:String}
ORDER BY received_at DESC, line DESC
LIMIT {limit:UInt32}
