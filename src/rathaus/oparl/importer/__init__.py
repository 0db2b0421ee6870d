"""The OParl importer: mirrors another council information system (OParl 1.0 or 1.1).

    from rathaus.oparl.importer import ImportOptions, import_system
    run = import_system("https://ris.example.org/oparl/v1/system", ImportOptions(full=True))

Modules: `client` (HTTP with retries and limited concurrency), `mapping` (OParl JSON to model
fields), `repair` (fixes for known faults), `writer` (upsert and references), `runner` (full,
incremental and resumed runs; keeps the search index in step), `files` (text of PDFs).
"""

from rathaus.oparl.importer.runner import ImportFailed, ImportOptions, import_system

__all__ = ["ImportFailed", "ImportOptions", "import_system"]
