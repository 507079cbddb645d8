"""The PKDD'99 (Berka) importer: the real Czech bank data set mapped into the Bronze contract.

`source` checks the files, `load` reads them into DuckDB, `mapping` turns them into the four Bronze
entities (code maps in `codes`, loan rates in `rates`), `checks` counts what Silver will quarantine,
and `importer` writes Bronze and the manifest. The mapping is tabled in the README (`pkdd99`).
"""

from finlake.pkdd99.importer import ImportResult, import_pkdd99

__all__ = ["ImportResult", "import_pkdd99"]
