#!/usr/bin/env bash
# Test users for a load test against a deployed stage (docs/load-testing.md), in the stage's Cognito user pool.
#
#   export LOADTEST_PASSWORD='Load-test-2025!x'          # meets the pool's policy: 12+ chars, upper, lower, digit, symbol
#   test/load/create-cognito-users.sh --user-pool-id us-east-1_AbCdEf --client-id 1h2j3k... --count 1000 \
#       --tokens-out test/load/reports/tokens.json
#   npm run loadtest -- --target https://dxxxx.cloudfront.net --auth tokens --tokens-file test/load/reports/tokens.json ...
#
#   test/load/create-cognito-users.sh --user-pool-id ... --count 1000 --delete     # remove them afterwards
#
# Users are loadtest-user-<n>@<email domain> (the pool signs in by email), created with
# admin-create-user (no invitation message, email marked verified) and given the permanent password with
# admin-set-user-password. Existing users are kept (their password is set again), so the script can be re-run.
#
# --tokens-out logs every user in once with initiate-auth USER_PASSWORD_AUTH (staging's app client allows it; prod's: SRP only)
# and writes their ID tokens as a JSON array: Locust then sends no login traffic, which matters because Cognito
# allows 120 InitiateAuth calls per second per account by default. ID tokens last 1 hour (the app client's
# setting): create the file shortly before the run, or use --auth cognito to log in from Locust itself.
#
# Needs the AWS CLI v2 and credentials allowed cognito-idp:AdminCreateUser, AdminSetUserPassword,
# AdminDeleteUser on the pool. Calls are paced (--rate per second) to stay under Cognito's admin API quotas.
set -euo pipefail

pool=""; client=""; count=""; prefix="loadtest-user-"; domain="example.com"; tokens_out=""; delete=false
region="${AWS_REGION:-us-east-1}"; rate=20

usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --user-pool-id) pool="$2"; shift 2 ;;
    --client-id) client="$2"; shift 2 ;;
    --count) count="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --email-domain) domain="$2"; shift 2 ;;
    --region) region="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --tokens-out) tokens_out="$2"; shift 2 ;;
    --delete) delete=true; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
done
[ -n "$pool" ] && [ -n "$count" ] || { echo "--user-pool-id and --count are required" >&2; usage 2; }
[[ "$count" =~ ^[0-9]+$ ]] || { echo "--count must be a number" >&2; exit 2; }
command -v aws >/dev/null || { echo "the AWS CLI v2 is required (aws)" >&2; exit 2; }
pause=$(awk "BEGIN { print 1 / $rate }")
user() { echo "${prefix}$1@${domain}"; }

if $delete; then
  for i in $(seq 1 "$count"); do
    aws cognito-idp admin-delete-user --region "$region" --user-pool-id "$pool" --username "$(user "$i")" 2>/dev/null || true
    sleep "$pause"
  done
  echo "deleted ${prefix}1..${count}@${domain} (where they existed)"
  exit 0
fi

: "${LOADTEST_PASSWORD:?set LOADTEST_PASSWORD (12+ characters with upper and lower case, a digit and a symbol)}"
for i in $(seq 1 "$count"); do
  name="$(user "$i")"
  aws cognito-idp admin-create-user --region "$region" --user-pool-id "$pool" --username "$name" \
    --user-attributes Name=email,Value="$name" Name=email_verified,Value=true \
    --message-action SUPPRESS >/dev/null 2>&1 || true   # already there: fine
  aws cognito-idp admin-set-user-password --region "$region" --user-pool-id "$pool" --username "$name" \
    --password "$LOADTEST_PASSWORD" --permanent
  sleep "$pause"
  [ $((i % 100)) -eq 0 ] && echo "  $i users ready"
done
echo "users ${prefix}1..${count}@${domain} ready in $pool"

if [ -n "$tokens_out" ]; then
  [ -n "$client" ] || { echo "--tokens-out needs --client-id" >&2; exit 2; }
  mkdir -p "$(dirname "$tokens_out")"
  password_json="${LOADTEST_PASSWORD//\\/\\\\}"; password_json="${password_json//\"/\\\"}"
  tmp="$(mktemp)"
  printf '[' > "$tmp"
  for i in $(seq 1 "$count"); do
    token=$(aws cognito-idp initiate-auth --region "$region" --client-id "$client" --auth-flow USER_PASSWORD_AUTH \
      --auth-parameters "{\"USERNAME\":\"$(user "$i")\",\"PASSWORD\":\"$password_json\"}" \
      --query 'AuthenticationResult.IdToken' --output text)
    [ "$i" -gt 1 ] && printf ',' >> "$tmp"
    printf '\n"%s"' "$token" >> "$tmp"
    sleep "$pause"
  done
  printf '\n]\n' >> "$tmp"
  mv "$tmp" "$tokens_out"
  echo "wrote $count ID tokens to $tokens_out (valid for the app client's ID token lifetime: 1 hour)"
fi
