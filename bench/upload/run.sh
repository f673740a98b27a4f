#!/usr/bin/env bash
# Upload benchmark: time and peak RSS of flyte_upload_file for 0 B .. 1 GiB against the real
# FlyteAdmin's "s3" instance (../shared/flyteadmin; moto's S3 behind it), each size in its
# own process, each stored object checked against its file (size and MD5) through boto3.
#   bench/upload/run.sh [BUILD_DIR]          (default: build)
# Environment: SIZES (bytes, default "0 4 100 5242880 104857600 1073741824"); a running lab
# through FLYTEADMIN_S3_URL and S3_ENDPOINT, else one is brought up in a temporary directory
# (PG_PORT ADMIN_PORT ADMIN_S3_PORT S3_PORT K8S_PORT pass through to up.sh) and stopped after.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
lab=${FLYTEADMIN_LAB:-$(cd "$root/.." && pwd)/shared/flyteadmin}
sizes=${SIZES:-0 4 100 5242880 104857600 1073741824}

cmake --build "$build" --target bench_upload -j2 >/dev/null
work=$(mktemp -d /tmp/flyteremote-bench-upload.XXXXXX)
labdir=""
cleanup() {
	if [ -n "$labdir" ]; then
		"$lab/down.sh" "$labdir" --purge >/dev/null 2>&1 || true
		rm -rf "$labdir"
	fi
	rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${FLYTEADMIN_S3_URL:-}" ]; then
	[ -x "$lab/up.sh" ] || { echo "no FlyteAdmin lab at $lab (set FLYTEADMIN_LAB)" >&2; exit 2; }
	# Its own directory under /tmp: the PostgreSQL user must pass through every parent.
	labdir=$(mktemp -d /tmp/flyteremote-bench-upload-lab.XXXXXX)
	"$lab/up.sh" "$labdir" >/dev/null 2>"$work/up.log" || { cat "$work/up.log" >&2; exit 1; }
	# shellcheck disable=SC1091 # written by up.sh
	. "$labdir/lab.env"
	FLYTEADMIN_S3_URL=$ADMIN_S3_URL
fi

echo "load average: $(cat /proc/loadavg); $(nproc) CPUs; FlyteAdmin $FLYTEADMIN_S3_URL, moto $S3_ENDPOINT"
printf '%12s %9s %9s %14s %14s %9s  %s\n' bytes seconds MiB/s "rss before KiB" "rss peak KiB" growth "stored == sent"
for size in $sizes; do
	f=$work/upload-$size.bin
	head -c "$size" /dev/urandom >"$f"
	line=$("$build/bench/bench_upload" "$FLYTEADMIN_S3_URL" "$f")
	IFS=$'\t' read -r bytes secs rate before peak uri <<<"$line"
	check=$(python3 - "$S3_ENDPOINT" "$uri" "$f" <<'PY'
import hashlib, os, sys, boto3
endpoint, uri, path = sys.argv[1:]
bucket, key = uri[len("s3://"):].split("/", 1)
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="minio", aws_secret_access_key="miniostorage",
                  region_name="us-east-1")
head = s3.head_object(Bucket=bucket, Key=key)
md5 = hashlib.md5()
with open(path, "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        md5.update(block)
ok = head["ContentLength"] == os.path.getsize(path) and head["ETag"].strip('"') == md5.hexdigest()
print("yes" if ok else "NO: %s bytes, ETag %s" % (head["ContentLength"], head["ETag"]))
PY
)
	printf '%12s %9s %9s %14s %14s %9s  %s\n' "$bytes" "$secs" "$rate" "$before" "$peak" "$((peak - before))" "$check"
	rm -f "$f"
done
