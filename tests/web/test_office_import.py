"""The career office's CSV import page: the API's import behind a form, for staff only, atomic, in both languages."""
import io

import pytest

from tests.factories import ApiClient, wait_local_jobs
from tests.members.test_import import _csv, _row
from tests.web.helpers import csrf_from
from tests.web.test_office import _staff
from tests.web.test_signin import _signed_in


def _members(app, tenant):
    """The tenant's members as the API lists them to its admin key, by e-mail."""
    admin = ApiClient(app.test_client(), tenant.admin_key)
    return {m["email"]: m for m in admin.get("/api/v1/members?per_page=100").json["items"]}


def _send(client, tenant, data=b"", name="members.csv", rows=None, token=True):
    """POST the import form as a browser does (multipart), with the page's CSRF token unless told otherwise."""
    path = f"/t/{tenant.slug}/office/import"
    form = {"rows": rows or ""}
    if name is not None:
        form["file"] = (io.BytesIO(data), name, "text/csv")
    if token:
        form["csrf_token"] = csrf_from(client.get(path))
    return client.post(path, data=form, content_type="multipart/form-data")


def test_the_dashboard_links_to_the_import_form(app, tenant):
    client = _staff(app, tenant)
    assert f"/t/{tenant.slug}/office/import" in client.get(f"/t/{tenant.slug}/office").get_data(as_text=True)
    html = client.get(f"/t/{tenant.slug}/office/import").get_data(as_text=True)
    assert '<label for="file">' in html and 'accept=".csv,text/csv"' in html and '<label for="rows">' in html
    assert 'enctype="multipart/form-data"' in html and "<script>" not in html


def test_a_valid_file_creates_members_then_updates_one_by_email(app, tenant):
    client = _staff(app, tenant)
    text = _csv([_row(), _row(role="mentee", name="Bo", email="bo@example.edu", company="", title="", capacity="")])
    r = _send(client, tenant, text.encode())
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/t/{tenant.slug}/office/import")
    assert "Imported: created 2, updated 0." in client.get(r.headers["Location"]).get_data(as_text=True)
    members = _members(app, tenant)
    assert set(members) == {"ana@example.com", "bo@example.edu"}
    assert members["ana@example.com"]["availability"][1] == {"weekday": 2, "start": "18:00", "end": "20:00"}

    r = _send(client, tenant, _csv([_row(headline="Head of credit risk")]).encode())
    assert r.status_code == 303
    assert "Imported: created 0, updated 1." in client.get(r.headers["Location"]).get_data(as_text=True)
    members = _members(app, tenant)
    assert len(members) == 2 and members["ana@example.com"]["headline"] == "Head of credit risk"


def test_rows_pasted_from_a_spreadsheet_are_imported(app, tenant):
    pasted = _csv([_row()]).replace(",", "\t").replace("\r\n", "\n")  # the cells hold no commas
    r = _send(_staff(app, tenant), tenant, name=None, rows=pasted)
    assert r.status_code == 303
    assert set(_members(app, tenant)) == {"ana@example.com"}


def test_an_invalid_row_shows_the_rows_errors_and_imports_nothing(app, tenant):
    text = _csv([_row(), _row(email="not-an-address", name="Cy"), _row(email="di@example.com", timezone="Mars/Base")])
    r = _send(_staff(app, tenant), tenant, text.encode())
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Nothing was imported" in html and 'id="import-errors"' in html
    assert '<td class="num">3</td>' in html and "<code>email</code>" in html
    assert '<td class="num">4</td>' in html and "<code>timezone</code>" in html
    assert _members(app, tenant) == {}  # the valid first row was not imported either


def test_without_the_csrf_token_nothing_is_imported(app, tenant):
    client = _staff(app, tenant)
    r = _send(client, tenant, _csv([_row()]).encode(), token=False)
    assert r.status_code == 400
    assert _members(app, tenant) == {}


@pytest.mark.parametrize("data, name, said", [
    (b"", None, "Choose a CSV file, or paste the rows."),
    (b"", "members.csv", "The file is empty"),
    (b"   \n", "members.csv", "The file is empty"),
    ("role,name,email,timezone\nmentor,Zoë,z@example.com,UTC\n".encode("latin-1"), "members.csv", "not UTF-8"),
    (b"role,name,email,timezone\nmentor,Z\x00,z@example.com,UTC\n", "members.csv", "NUL bytes"),
    (b"rolle,name,mail\nmentor,Ana,ana@example.com\n", "members.csv", "the header row is not valid"),
])
def test_bad_input_is_refused_with_a_message_and_changes_nothing(app, tenant, data, name, said):
    r = _send(_staff(app, tenant), tenant, data, name=name)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert said in html and 'id="file"' in html  # the form again
    assert _members(app, tenant) == {}


def test_a_wrong_header_names_its_columns(app, tenant):
    html = _send(_staff(app, tenant), tenant, b"rolle,name,email,timezone\n").get_data(as_text=True)
    assert "<code>rolle</code>" in html and "Unknown column." in html and "<code>role</code>" in html


def test_a_file_over_the_configured_limit_is_413_with_the_form(app, tenant, monkeypatch):
    client = _staff(app, tenant)
    token = csrf_from(client.get(f"/t/{tenant.slug}/office/import"))
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    text = _csv([_row(email=f"m{i}@example.com") for i in range(20)])
    r = client.post(f"/t/{tenant.slug}/office/import", content_type="multipart/form-data",
                    data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "big.csv", "text/csv")})
    assert r.status_code == 413
    html = r.get_data(as_text=True)
    assert "more than the site accepts" in html and 'id="file"' in html
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 32 * 1024 * 1024)
    assert _members(app, tenant) == {}


def test_a_big_file_runs_as_the_apis_job_with_a_status_page(app, tenant, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_SYNC_MAX_ROWS", 5)
    monkeypatch.setitem(app.config, "IMPORT_BATCH_ROWS", 2)
    client = _staff(app, tenant)
    r = _send(client, tenant, _csv([_row(email=f"m{i}@example.com") for i in range(7)]).encode())
    assert r.status_code == 303 and "/office/imports/" in r.headers["Location"]
    status = r.headers["Location"]
    import_id = int(status.rsplit("/", 1)[1])
    html = client.get(status).get_data(as_text=True)
    assert "it is being imported" in html and "0 of 7" in html and 'http-equiv="refresh"' in html
    assert ApiClient(app.test_client(), tenant.admin_key).get(
        f"/api/v1/members/imports/{import_id}").json["rows_total"] == 7  # the API's own import record
    wait_local_jobs(app)
    html = client.get(status).get_data(as_text=True)
    assert "7 of 7" in html and "Imported: created 7, updated 0." in html and 'http-equiv="refresh"' not in html
    assert len(_members(app, tenant)) == 7


def test_a_big_file_with_an_invalid_row_shows_its_errors_when_finished(app, tenant, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_SYNC_MAX_ROWS", 5)
    client = _staff(app, tenant)
    rows = [_row(email=f"m{i}@example.com") for i in range(6)] + [_row(email="bad-address")]
    r = _send(client, tenant, _csv(rows).encode())
    assert r.status_code == 303
    wait_local_jobs(app)
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Nothing was imported" in html and '<td class="num">8</td>' in html and "<code>email</code>" in html
    assert _members(app, tenant) == {}


def test_a_member_cannot_reach_the_import(app, tenant):
    member = _signed_in(app, tenant)
    r = member.get(f"/t/{tenant.slug}/office/import")
    assert r.status_code == 302 and r.headers["Location"].endswith("/office/signin")
    token = csrf_from(member.get(f"/t/{tenant.slug}/me"))
    r = member.post(f"/t/{tenant.slug}/office/import", content_type="multipart/form-data",
                    data={"csrf_token": token, "file": (io.BytesIO(_csv([_row()]).encode()), "m.csv", "text/csv")})
    assert r.status_code == 302 and r.headers["Location"].endswith("/office/signin")
    assert member.get(f"/t/{tenant.slug}/office/imports/1").status_code == 302
    assert "ana@example.com" not in _members(app, tenant)


def test_another_tenants_staff_sees_nothing(app, tenant, other_tenant, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_SYNC_MAX_ROWS", 5)
    ours = _staff(app, tenant)
    r = _send(ours, tenant, _csv([_row(email=f"m{i}@example.com") for i in range(6)]).encode())
    import_id = int(r.headers["Location"].rsplit("/", 1)[1])
    theirs = _staff(app, other_tenant)
    assert theirs.get(f"/t/{tenant.slug}/office/import").status_code == 404
    assert theirs.get(f"/t/{tenant.slug}/office/imports/{import_id}").status_code == 404
    token = csrf_from(theirs.get(f"/t/{other_tenant.slug}/office/import"))
    r = theirs.post(f"/t/{tenant.slug}/office/import", content_type="multipart/form-data",
                    data={"csrf_token": token, "file": (io.BytesIO(_csv([_row()]).encode()), "m.csv", "text/csv")})
    assert r.status_code == 404
    # their own office does not find our import either
    assert theirs.get(f"/t/{other_tenant.slug}/office/imports/{import_id}").status_code == 404
    wait_local_jobs(app)


def test_the_import_page_in_chinese(app, tenant):
    client = _staff(app, tenant)
    html = client.get(f"/t/{tenant.slug}/office/import?lang=zh").get_data(as_text=True)
    assert "导入成员" in html and "Import members" not in html and "Back to the dashboard" not in html
    r = _send(client, tenant, _csv([_row(email="not-an-address")]).encode())
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "没有导入任何内容" in html and "Nothing was imported" not in html
    r = _send(client, tenant, _csv([_row()]).encode())
    assert "已导入：新建 1 名，更新 0 名。" in client.get(r.headers["Location"]).get_data(as_text=True)


def test_an_import_the_sweep_gave_up_on_says_so(app, tenant, monkeypatch):
    from sqlalchemy import update

    from mentorship.extensions import db
    from mentorship.members.models import MemberImport
    from mentorship.tenancy.scope import tenant_scope

    monkeypatch.setitem(app.config, "IMPORT_SYNC_MAX_ROWS", 5)
    client = _staff(app, tenant)
    r = _send(client, tenant, _csv([_row(email=f"m{i}@example.com") for i in range(6)]).encode())
    import_id = int(r.headers["Location"].rsplit("/", 1)[1])
    wait_local_jobs(app)
    stopped = [{"row": None, "field": None, "message": "The import stopped 3 times without finishing."}]
    with app.app_context(), tenant_scope(tenant.id):  # what requeue_stale_imports writes when it gives up
        db.session.execute(update(MemberImport).where(MemberImport.id == import_id)
                           .values(status="failed", errors=stopped, errors_total=1, created=None, updated=None))
        db.session.commit()
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "the import stopped without finishing" in html and "some rows are not valid" not in html
