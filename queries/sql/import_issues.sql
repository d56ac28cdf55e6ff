-- Every refused row and every warning of one import batch, in file order (数据导入 问题清单).
SELECT '拒收' AS kind, source_file, source_sheet, source_row, NULL AS field, raw_values::VARCHAR AS value, reason AS message
FROM rejected_rows
WHERE import_batch = $batch
UNION ALL
SELECT '警告', source_file, source_sheet, source_row, field, value, message
FROM import_warnings
WHERE import_batch = $batch
ORDER BY source_file, source_sheet NULLS FIRST, source_row, kind
