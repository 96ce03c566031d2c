"""The campaign command: a new campaign with the default themes, refused twice for one year."""
from app.campaigns.queries import campaign_by_year, current_campaign
from app.campaigns.services import default_themes


def create(runner, year, opens="2031-02-01", closes="2031-03-31 18:00", *extra):
    return runner.invoke(args=["campaign", "create", "--year", str(year), "--opens", opens,
                               "--closes", closes, *extra])


def test_the_command_creates_the_current_campaign_with_the_default_themes(runner):
    result = create(runner, 2031)
    assert result.exit_code == 0, result.output
    campaign = campaign_by_year(2031)
    assert "已创建活动 2031" in result.output and current_campaign().id == campaign.id
    assert [t.code for t in campaign.themes] == [spec["code"] for spec in default_themes()]
    assert create(runner, 2032, "2032-02-01", "2032-03-31", "--not-current").exit_code == 0
    assert current_campaign().id == campaign.id


def test_the_command_refuses_a_second_campaign_for_a_year_and_a_window_that_ends_first(runner):
    assert create(runner, 2031).exit_code == 0
    again = create(runner, 2031)
    assert again.exit_code != 0 and "2031 年的活动已存在" in again.output
    backwards = create(runner, 2033, "2033-03-31", "2033-02-01")
    assert backwards.exit_code != 0 and "截止时间必须晚于开始时间" in backwards.output
    assert campaign_by_year(2033) is None
