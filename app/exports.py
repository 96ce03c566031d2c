"""Spreadsheet downloads that staff open in Excel.

Every text cell is neutralised: a value starting with = + - @ tab or CR is
prefixed with an apostrophe, so Excel shows it as text instead of running it
as a formula (CSV injection)."""
import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

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
    return workbook_bytes([(sheet_title, headers, rows)])


def workbook_bytes(sheets):
    """An .xlsx file with one sheet per (title, headers, rows): bold frozen
    header row, every text cell neutralised and stored as text, columns sized
    to their content (a Chinese character is about two Latin ones wide;
    capped so one long reason does not push the others off the screen)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append([neutralize(h) for h in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        widths = [len(str(h)) for h in headers]
        for row in rows:
            sheet.append([neutralize(v) for v in row])
            for index, cell in enumerate(sheet[sheet.max_row]):
                # openpyxl would store a leading "=" as a formula; force text.
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                if cell.value is not None and index < len(widths):
                    widths[index] = max(widths[index], len(str(cell.value)))
        for index, width in enumerate(widths):
            sheet.column_dimensions[get_column_letter(index + 1)].width = min(2 * width + 2, 60)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
