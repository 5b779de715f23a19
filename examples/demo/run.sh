#!/usr/bin/env bash
# make demo: build the provider, start the local DatoCMS-compatible API server, apply
# examples/demo with Terraform, show the outputs, then prove that a second plan is empty.
# Everything runs in a temporary directory that is removed at exit, server included.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/datocms-demo.XXXXXX")
server_pid=""

cleanup() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill -INT "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

step() { printf '\n==> %s\n' "$*"; }

command -v terraform >/dev/null || { echo "terraform is not on PATH (Terraform >= 1.5 is needed)" >&2; exit 1; }

step "Building the provider and the local API server"
mkdir -p "$work/bin"
if [ -n "${PROVIDER_BINARY:-}" ]; then
	echo "using the provider binary $PROVIDER_BINARY"
	cp "$PROVIDER_BINARY" "$work/bin/terraform-provider-datocms"
else
	(cd "$repo" && go build -o "$work/bin/terraform-provider-datocms" .)
fi
(cd "$repo" && go build -o "$work/bin/datocms-local" ./internal/datocmstest/cmd/datocms-local)

step "Starting the local DatoCMS-compatible API server"
"$work/bin/datocms-local" -listen 127.0.0.1:0 -job-delay 300ms -locales en,it \
	-data-dir "$work/data" >"$work/server.out" 2>"$work/server.log" &
server_pid=$!
base_url=""
for _ in $(seq 1 300); do # the server prints its base URL as its first line
	base_url=$(head -n 1 "$work/server.out" 2>/dev/null || true)
	[ -n "$base_url" ] && break
	if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
	sleep 0.1
done
if [ -z "$base_url" ]; then
	echo "the local API server did not start; its log:" >&2
	cat "$work/server.log" >&2
	exit 1
fi
echo "listening on $base_url"

cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "assetform/datocms" = "$work/bin"
  }
  direct {}
}
RC
cp -R "$repo/examples/demo" "$work/config"
rm -f "$work/config/run.sh"

export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1
export DATOCMS_BASE_URL="$base_url"
export DATOCMS_API_TOKEN="demo-token-not-a-secret"
tf() { terraform -chdir="$work/config" "$@"; }

step "terraform apply (dev_overrides: no terraform init needed)"
tf apply -auto-approve -input=false -no-color

step "Second plan: it must show no changes"
set +e
tf plan -detailed-exitcode -input=false -no-color >"$work/plan.txt" 2>&1
plan_status=$?
set -e
case $plan_status in
0)
	grep -E "No changes" "$work/plan.txt" || true
	echo "OK: the second plan is empty; every upload matches its configuration."
	;;
2)
	cat "$work/plan.txt"
	echo "FAIL: the second plan wants changes." >&2
	exit 1
	;;
*)
	cat "$work/plan.txt"
	echo "FAIL: terraform plan failed." >&2
	exit 1
	;;
esac

step "Stopping the local API server"
kill -INT "$server_pid"
wait "$server_pid" || true
server_pid=""
echo "done"
