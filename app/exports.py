"""Spreadsheet downloads that staff open in Excel.

Every text cell is neutralised: a value starting with = + - @ tab or CR is
prefixed with an apostrophe, so Excel shows it as text instead of running it
as a formula (CSV injection)."""
import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value):
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_bytes(headers, rows):
    # UTF-8 with BOM: without it Excel on Windows reads Chinese as mojibake.
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralize(h) for h in headers])
    for row in rows:
        writer.writerow([neutralize("" if v is None else v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(headers, rows, sheet_title):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append([neutralize(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralize(v) for v in row])
        for cell in sheet[sheet.max_row]:
            # openpyxl would store a leading "=" as a formula; force text.
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
