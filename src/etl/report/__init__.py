"""A static, self-contained HTML report of the warehouse (`etl report`)."""

from etl.report.page import ReportResult, write_report

__all__ = ["ReportResult", "write_report"]
