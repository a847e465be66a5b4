#!/bin/sh
# The nightly work (kinerja-nightly.service, or cron): a backup, the audit check against the
# heads exported last night, a new export of the heads, stale files swept, old backups
# pruned. Each step runs even when one before it failed; the script exits non-zero if any
# failed, so systemd marks the run failed (and cron mails its output).
#   KINERJA_BACKUP_DIR        where the archives go            (/var/backups/kinerja)
#   KINERJA_BACKUP_KEEP_DAYS  archives older than this go       (14)
#   KINERJA_AUDIT_HEADS_DIR   the exported heads: keep them on another machine's share
#                             that this server cannot rewrite   (/var/lib/kinerja/audit-heads)
set -u
umask 027  # the archives hold the whole database: not for other users
HERE=$(cd "$(dirname "$0")" && pwd)
set -a
. "${KINERJA_ENV:-/etc/kinerja/kinerja.env}"
set +a
MANAGE="$HERE/kinerja-manage"
BACKUP_DIR=${KINERJA_BACKUP_DIR:-/var/backups/kinerja}
KEEP_DAYS=${KINERJA_BACKUP_KEEP_DAYS:-14}
HEADS_DIR=${KINERJA_AUDIT_HEADS_DIR:-/var/lib/kinerja/audit-heads}
DAY=$(date +%F)
failed=""

step() {
    name=$1
    shift
    echo "== $name"
    "$@" || { echo "!! $name failed"; failed="$failed $name"; }
}

step backup "$MANAGE" backup "$BACKUP_DIR/kinerja-$DAY-$(date +%H%M%S).tar.gz"
if [ -e "$HEADS_DIR/heads-latest.jsonl" ]; then
    step audit-check "$MANAGE" audit check --heads "$HEADS_DIR/heads-latest.jsonl"
else
    step audit-check "$MANAGE" audit check
fi
heads="$HEADS_DIR/heads-$DAY-$(date +%H%M%S).jsonl"
echo "== heads-export"
if "$MANAGE" audit heads export "$heads"; then
    ln -sfn "$(basename "$heads")" "$HEADS_DIR/heads-latest.jsonl"
else
    echo "!! heads-export failed"
    failed="$failed heads-export"
fi
step sweep "$MANAGE" document sweep --delete
step prune find "$BACKUP_DIR" -maxdepth 1 -name 'kinerja-*.tar.gz' -mtime "+$KEEP_DAYS" -delete

if [ -n "$failed" ]; then
    echo "nightly: failed:$failed"
    exit 1
fi
echo "nightly: all steps passed"
