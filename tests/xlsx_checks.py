"""Reading back the Excel files we send: the download's type, then its sheets' rows."""
import io

from openpyxl import load_workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def downloaded_workbook(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == XLSX_TYPE
    return load_workbook(io.BytesIO(response.data))


def data_rows(sheet):
    """Every row below the header, as lists of values."""
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
