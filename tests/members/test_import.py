import csv
import io

from tests.factories import make_member

HEADER = ["role", "name", "email", "headline", "bio", "photo_url", "domains", "goals", "skills", "languages",
          "timezone", "availability", "international", "school", "company", "title", "capacity"]
BIO = ("I spent four years in retail banking before moving into data, and I like helping people who are new to "
       "the country find their footing in finance careers.")


def _csv(rows, header=HEADER):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _row(**kw):
    base = {"role": "mentor", "name": "Ana Lima", "email": "ana@example.com", "headline": "Risk lead", "bio": BIO,
            "photo_url": "https://example.com/a.jpg", "domains": "finance/credit-risk; finance/market-risk",
            "goals": "career-plan;networking", "skills": "sas; python", "languages": "pt;en",
            "timezone": "America/Sao_Paulo", "availability": "0 09:00-12:00; 2 18:00-20:00",
            "international": "true", "school": "USP", "company": "Itau", "title": "Risk Lead", "capacity": "2"}
    base.update(kw)
    return [base[h] for h in HEADER]


def _post(admin, text, ctype="text/csv"):
    return admin.post("/api/v1/members/import", data=text.encode(), headers={"Content-Type": ctype}, json=None)


def test_import_creates_then_updates(admin):
    text = _csv([_row(), _row(role="mentee", name="Bo", email="bo@example.edu", company="", title="",
                              capacity="")])
    r = _post(admin, text)
    assert r.status_code == 200, r.json
    assert r.json == {"created": 2, "updated": 0}
    members = {m["email"]: m for m in admin.get("/api/v1/members").json["items"]}
    ana = members["ana@example.com"]
    assert ana["domains"] == ["finance/credit-risk", "finance/market-risk"]
    assert ana["availability"] == [{"weekday": 0, "start": "09:00", "end": "12:00"},
                                   {"weekday": 2, "start": "18:00", "end": "20:00"}]
    assert ana["capacity"] == 2 and ana["international"] is True
    assert ana["profile"]["score"] == 100
    assert admin.get("/api/v1/members?domain=finance/market-risk&role=mentor").json["total"] == 1
    r = _post(admin, _csv([_row(headline="Head of risk")]))
    assert r.json == {"created": 0, "updated": 1}
    assert admin.get(f"/api/v1/members/{ana['id']}").json["headline"] == "Head of risk"
    audit = admin.get("/api/v1/audit-events?object_type=members&per_page=100").json["items"]
    assert sum(e["action"] == "member.created" for e in audit) == 2


def test_any_invalid_row_imports_nothing(admin):
    text = _csv([_row(), _row(email="not-an-email"), _row(email="c@example.com", timezone="Mars/Base",
                                                          domains="Finance!!")])
    r = _post(admin, text)
    assert r.status_code == 422
    assert r.json["code"] == "validation_error"
    errors = {(e["row"], e["field"]) for e in r.json["errors"]}
    assert (3, "email") in errors and (4, "timezone") in errors and (4, "domains.0") in errors
    assert admin.get("/api/v1/members").json["total"] == 0


def test_import_rejects_role_change_duplicates_and_bad_header(app, admin, tenant):
    make_member(app, tenant, email="ana@example.com")  # an existing mentee
    r = _post(admin, _csv([_row()]))
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "role"
    r = _post(admin, _csv([_row(email="x@example.com"), _row(email="X@example.com")]))
    assert r.status_code == 422 and "Same e-mail" in r.json["errors"][0]["message"]
    r = _post(admin, _csv([["mentor", "A"]], header=["role", "name", "password"]))
    assert r.status_code == 422
    assert {e["field"] for e in r.json["errors"]} >= {"password", "email", "timezone"}
    r = _post(admin, _csv([_row(availability="Mon 9-5")]))
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "availability"
    assert admin.get("/api/v1/members").json["total"] == 1


def test_import_content_checks(admin):
    assert _post(admin, _csv([_row()]), ctype="application/json").status_code == 415
    assert _post(admin, "role,name\n\x00,x").status_code == 400
    r = admin.post("/api/v1/members/import", data=b"\xff\xfe\x00bad", headers={"Content-Type": "text/csv"},
                   json=None)
    assert r.status_code == 400
