-- A workspace's ingestion over the last hour and the last day, from the per-minute counts.
SELECT toInt64(sumIf(accepted, minute >= {hour:DateTime64(3, 'UTC')})) AS HourAccepted,
       toInt64(sumIf(duplicates, minute >= {hour:DateTime64(3, 'UTC')})) AS HourDuplicates,
       toInt64(sumIf(quarantined, minute >= {hour:DateTime64(3, 'UTC')})) AS HourQuarantined,
       toInt64(sum(accepted)) AS DayAccepted,
       toInt64(sum(duplicates)) AS DayDuplicates,
       toInt64(sum(quarantined)) AS DayQuarantined
FROM ingest_counts
WHERE workspace_id = {workspace:String} AND minute >= {day:DateTime64(3, 'UTC')}
