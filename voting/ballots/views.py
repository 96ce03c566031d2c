"""公众投票：投票页、投票窗口、舞弊筛查与作废."""
from flask import Blueprint

bp = Blueprint("ballots", __name__, template_folder="templates")
