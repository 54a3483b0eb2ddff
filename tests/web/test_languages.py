"""English and Simplified Chinese: the switch, the browser's choice, the member's languages, and the catalog."""
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.web.helpers import invite_path, join

CATALOG = Path(__file__).resolve().parents[2] / "mentorship/web/translations/zh/LC_MESSAGES"


def test_the_switch_turns_the_pages_chinese_and_stays(client, tenant):
    html = client.get(f"/t/{tenant.slug}/signin?lang=zh").get_data(as_text=True)
    assert 'lang="zh-Hans"' in html and "登录" in html and "E-mail me a link" not in html
    assert "给我发送登录链接" in client.get(f"/t/{tenant.slug}/signin").get_data(as_text=True)
    assert "E-mail me a link" in client.get(f"/t/{tenant.slug}/signin?lang=en").get_data(as_text=True)


def test_the_browsers_language_is_used_without_a_switch(client, tenant):
    r = client.get(f"/t/{tenant.slug}/signin", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert "给我发送登录链接" in r.get_data(as_text=True)
    r = client.get(f"/t/{tenant.slug}/signin", headers={"Accept-Language": "fr"})
    assert "E-mail me a link" in r.get_data(as_text=True)


def test_a_signed_in_members_languages_choose_the_page_language(app, admin, tenant):
    client = app.test_client()
    assert join(client, invite_path(admin), languages=["zh"]).status_code == 302
    html = client.get(f"/t/{tenant.slug}/me", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "资料完整度" in html and "还没有照片" in html  # the gaps in Chinese too (coach/wording.py)


def test_the_chinese_join_page_has_no_english_left(app, admin):
    client = app.test_client()
    html = client.get(invite_path(admin) + "?lang=zh").get_data(as_text=True)
    assert "以学员身份加入" in html and "时区" in html
    for english in ("Join as", "Time zone", "Headline", "Languages you speak", "Career plan"):
        assert english not in html


def test_every_message_has_a_chinese_translation():
    with open(CATALOG / "messages.po", "rb") as f:
        catalog = read_po(f)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert not untranslated and len(catalog) > 40


def test_the_committed_mo_is_the_compiled_po():
    """Edit the .po, then compile it: `make translations`."""
    with open(CATALOG / "messages.po", "rb") as f:
        catalog = read_po(f)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    assert compiled.getvalue() == (CATALOG / "messages.mo").read_bytes()
