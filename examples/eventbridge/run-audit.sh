#!/bin/bash
# The scheduled task: fetch last night's JSON report from S3, audit with --diff against it, and
# store tonight's JSON and SARIF reports (dated, and as the new "latest"). Exits as elbtls audit
# does (0 compliant, 1 new findings, 2 usage or configuration error, 3 incomplete), so the task's
# exit code shows in ECS and can drive an alarm.
#
# Environment: ELBTLS_REPORT_S3 (s3://BUCKET/PREFIX, required), ELBTLS_BASELINE (default modern),
# ELBTLS_AUDIT_ARGS (more audit flags, e.g. "--role-arn arn:aws:iam::111111111111:role/elbtls-audit").
# No `set -u`: bash 4.2 (the AWS CLI image) calls an empty "${array[@]}" unbound.
set -o pipefail

: "${ELBTLS_REPORT_S3:?set ELBTLS_REPORT_S3 to s3://BUCKET/PREFIX}"
baseline=${ELBTLS_BASELINE:-modern}
read -r -a extra <<< "${ELBTLS_AUDIT_ARGS:-}"
work=$(mktemp -d)
night=$(date -u +%Y-%m-%d)

if ! aws s3 cp --only-show-errors "$ELBTLS_REPORT_S3/latest/elbtls.json" "$work/previous.json"; then
    echo "no previous report at $ELBTLS_REPORT_S3/latest/: a first run" >&2
fi

# One run, two reports; a missing previous.json is a first run for --diff. --fail-on-new: exit 1
# only for findings that are new since the previous night.
status=0
elbtls audit --all-regions --baseline "$baseline" --diff "$work/previous.json" --fail-on-new \
    "${extra[@]}" -o json="$work/elbtls.json" -o sarif="$work/elbtls.sarif" || status=$?

for report in elbtls.json elbtls.sarif; do
    [[ -f $work/$report ]] || continue
    aws s3 cp --only-show-errors "$work/$report" "$ELBTLS_REPORT_S3/$night/$report"
    aws s3 cp --only-show-errors "$work/$report" "$ELBTLS_REPORT_S3/latest/$report"
done
exit "$status"
