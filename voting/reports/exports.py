"""The report as an Excel workbook: one sheet per table."""
from app.exports import workbook_bytes
from voting.reports.tables import report_tables


def report_xlsx(report, table_url):
    return workbook_bytes((table.title, table.headers, table.rows or [[table.empty]])
                          for table in report_tables(report, table_url))
