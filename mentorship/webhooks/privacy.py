"""An erased member's webhook deliveries (SPEC §10): a body that shows the member keeps only the event's type, its
time and the ids (and `"erased": true`); a pending one goes out so, the receiver learning what happened, not who."""
import json

from sqlalchemy import or_, select

from mentorship.extensions import db
from mentorship.webhooks.models import WebhookDelivery

ID_KEYS = ("member_id", "mentee_id", "mentor_id")  # how a body names a member (outbox.py), followed by , or }


def erase(member):
    shows = [WebhookDelivery.body.contains(f'"{key}":{member.id}{end}', autoescape=True)
             for key in ID_KEYS for end in (",", "}")]
    for row in db.session.scalars(select(WebhookDelivery).where(or_(*shows))).all():
        payload = json.loads(row.body)
        ids = {key: value for key, value in payload.get("data", {}).items()
               if key.endswith("_id") or key in ("milestone", "completed_by")}
        row.body = json.dumps({"type": payload["type"], "timestamp": payload["timestamp"],
                               "data": {**ids, "erased": True}}, separators=(",", ":"))
