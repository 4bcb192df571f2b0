"""Layer 2, the study folder: reading ``study.toml`` and its CSV files (with the site
calendar's sources: closed-day files and the holidays package), the study's lock, CSV edits,
entry values, and the workbook's file layout shared by its writer and reader.
"""
