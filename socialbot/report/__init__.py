"""The campaign close-out report: the 活动总结 draft, .docx, PDF, coverage table, report.json.

Self-contained: its input is the plain ``Figures`` model (``report.model``), read today
from a JSON file (``report.load``); it imports nothing from the store or the platforms.
"""
