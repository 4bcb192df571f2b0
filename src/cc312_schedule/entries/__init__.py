"""Layer 3, the writes that need a plan: recording visits, deciding, importing a workbook.
Each runs under the study's lock on a freshly read study (see ``writes``).
"""
