"""Import and export of the service catalog: CSV, JSON and an XZuFi 2.2-shaped XML document.

`columns` holds the one column definition that CSV import, CSV export and JSON share;
`tabular` reads and writes CSV and JSON, `xzufi` writes the XML for the portal network,
`importer` validates a whole file before it writes anything and upserts by LeiKa key.
"""
