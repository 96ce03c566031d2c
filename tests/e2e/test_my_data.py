"""我的数据 and deleting the account on a phone, by keyboard: the page fits 375 px,
the copy is there, and the deletion asks for the password and a tick."""
from app.auth.models import User
from app.extensions import db


def test_a_citizen_reads_their_data_and_deletes_the_account_on_a_phone(phone, make):
    citizen = make.user(login="13912340000", real_name="手机用户")
    make.idea(author=citizen)
    page = phone.page
    phone.log_in(citizen)
    phone.goto("/me/data")
    assert phone.fits_the_screen() and "推行园区政区分设" in page.content()
    phone.shot("my-data")
    phone.goto("/me/delete")
    assert phone.fits_the_screen()
    # By keyboard: the password, then the tick, then the button.
    page.focus("#password")
    page.keyboard.type("isle-lantern")
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.id") != "confirm":
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    phone.shot("delete")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/me/delete" not in url)
    assert "账号已注销" in page.content()
    db.session.expire_all()
    assert db.session.get(User, citizen.id).deleted_at is not None
