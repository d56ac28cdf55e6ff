-- The database's own places and units: added to the segmenter's dictionary as whole words.
SELECT DISTINCT word FROM (
    SELECT township AS word FROM cases
    UNION ALL SELECT village FROM cases
    UNION ALL SELECT responsible_unit FROM cases
) WHERE length(word) >= 2
ORDER BY word
