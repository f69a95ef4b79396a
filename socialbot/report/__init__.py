"""The campaign close-out report: the 活动总结 draft, .docx, PDF, coverage table, report.json.

Self-contained: its input is the plain ``Figures`` model (``report.model``), read from
a JSON file (``report.load``) or built from the store (``socialbot.reach_report``); it
imports nothing from the store and names no platform: what it counts per platform comes
from the registered platforms' ``ReportSpec`` (``report.specs``).
"""
