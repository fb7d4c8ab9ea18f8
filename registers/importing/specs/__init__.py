"""Spreadsheet layouts: one module per register, and Ofsted's published files."""
