"""Spreadsheet downloads that staff open in Excel.

Every text cell is neutralised: a value starting with = + - @ tab or CR is
prefixed with an apostrophe, so Excel shows it as text instead of running it
as a formula (CSV injection)."""
import csv
import io
import tempfile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
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


def csv_chunks(headers, rows, batch=1000):
    """The CSV of ``csv_bytes`` as byte chunks of ``batch`` rows: a download of any
    length in the memory of one batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([neutralize(h) for h in headers])
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralize("" if v is None else v) for v in row])
        if count % batch == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_chunks(headers, rows, sheet_title, widths, chunk_size=1 << 16):
    """An .xlsx of one sheet in openpyxl's write-only mode: rows go to a temporary
    file as they come, so memory stays flat however many there are; then the file
    is sent in chunks. Columns cannot be sized from content read later, so
    ``widths`` gives each column's width in advance."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=neutralize(name))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        # Neutralised values never start with "=", so none is stored as a formula.
        sheet.append([neutralize(v) for v in row])
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(chunk_size):
            yield chunk


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
