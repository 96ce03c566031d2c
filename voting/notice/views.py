"""公示、异议、十大金点子和开放数据接口."""
from flask import Blueprint

bp = Blueprint("notice", __name__, template_folder="templates")
