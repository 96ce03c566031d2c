from wtforms import SelectField, ValidationError

from app.forms import BaseForm, choices


class ReportChoiceForm(BaseForm):
    """Which campaign to report on (a GET form: no CSRF needed)."""

    class Meta:
        csrf = False

    # Checked by validate_year, whose message says more than WTForms' "not a valid choice".
    year = SelectField("征集活动", choices=[], validate_choice=False)

    def set_campaigns(self, campaigns):
        self.year.choices = choices([(str(c.year), f"{c.year} 年 · {c.title}") for c in campaigns])
        self.years = {str(c.year): c for c in campaigns}

    def validate_year(self, field):
        if field.data not in self.years:
            raise ValidationError("没有这一年的征集活动，请从列表中选择。")

    def chosen(self, default):
        """The campaign asked for, or ``default`` when none (or a wrong one) was."""
        if self.year.raw_data and self.validate():
            return self.years[self.year.data]
        if default is not None:
            self.year.data = str(default.year)
        return default
