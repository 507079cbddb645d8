"""What a Bronze value must look like before it is cast: the format checks, declared once.

Spark's casts are lenient (`CAST('12.5' AS INT)` is 12, `CAST('2024' AS DATE)` is 2024-01-01), so a value
must first match its type's pattern. Silver (Spark, `finlake.silver.validation`) and the real-time
monitor (pure Python, `finlake.stream.validation`) both use these patterns; ASCII digits only, as in Java.
"""

from __future__ import annotations

DATE_FORMAT = r"^\d{4}-\d{2}-\d{2}$"
TIMESTAMP_FORMAT = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$"
DECIMAL_FORMAT = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
INTEGER_FORMAT = r"^[+-]?\d+$"
WIDE_NUMBER = "decimal(38,10)"  # wide enough to hold any sane value, so range checks see it
REPLACEMENT_CHAR = "\ufffd"  # what the UTF-8 decoder puts where bytes were not UTF-8
