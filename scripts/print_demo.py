"""Print what `make run` gives a newcomer: the admin key and the URLs."""
import json
import os
import sys

path, host, port = sys.argv[1], sys.argv[2], sys.argv[3]
seed = json.load(open(path))
base = f"http://{host}:{port}"
public = os.environ.get("PUBLIC_URL") or base
mail = (f"sent to {os.environ['MAIL_URL']}" if os.environ.get("MAIL_URL")
        else "printed on this console (no MAIL_URL; logger mentorship.mail)")
counts = seed["members"]
print(f"""
  Mentorship demo tenant '{seed['tenant']['slug']}' ({counts['mentees']} mentees, {counts['mentors']} mentors)

  Admin API key:  {seed['api_key']}
      export KEY={seed['api_key']}

  Career office:  {public}/t/{seed['tenant']['slug']}/office/signin   (paste the admin key)
  Members:        {public}/t/{seed['tenant']['slug']}/signin   (a sign-in link by e-mail; invite people with
                  curl -X POST -H "Authorization: Bearer $KEY" -H "Content-Type: application/json"
                       -d '{{"role": "mentee"}}' {base}/api/v1/invites)

  API:            {base}/api/v1/members   (Authorization: Bearer $KEY)
  API docs:       {base}/docs
  OpenAPI:        {base}/openapi.json
  Health:         {base}/healthz  {base}/readyz  {base}/metrics
  E-mails:        {mail}
                  their links start with {public}/t/{seed['tenant']['slug']}/
""", flush=True)
