#!/usr/bin/env bash
# Nightly dump of urbanmine's PostgreSQL database with retention (docs/deploy.md).
#   DATABASE_URL   the database (from /etc/urbanmine/urbanmine.env)
#   BACKUP_DIR     where dumps go (default /var/backups/urbanmine)
#   KEEP_DAILY     daily dumps kept (default 14); KEEP_MONTHLY: first-of-month dumps (12)
# One custom-format file per night (urbanmine-YYYY-MM-DD.dump, restorable table by table
# with pg_restore), written under a temporary name and renamed when complete, so a
# half-written dump never looks like a backup. Copy BACKUP_DIR off the host (rsync/restic).
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL is not set}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/urbanmine}
KEEP_DAILY=${KEEP_DAILY:-14}
KEEP_MONTHLY=${KEEP_MONTHLY:-12}
umask 077
mkdir -p "$BACKUP_DIR/daily" "$BACKUP_DIR/monthly"

today=$(date +%F)
target="$BACKUP_DIR/daily/urbanmine-$today.dump"
pg_dump --format=custom --no-owner --file="$target.partial" --dbname="$DATABASE_URL"
pg_restore --list "$target.partial" >/dev/null  # readable table of contents, or fail
mv "$target.partial" "$target"
if [ "$(date +%d)" = "01" ]; then
  cp --reflink=auto "$target" "$BACKUP_DIR/monthly/"
fi

# retention: the newest KEEP_DAILY daily and KEEP_MONTHLY monthly dumps stay
prune() {  # directory, how many to keep
  find "$1" -maxdepth 1 -name 'urbanmine-*.dump' -printf '%T@ %p\n' | sort -rn |
    tail -n +"$(($2 + 1))" | cut -d' ' -f2- | xargs -r -d '\n' rm --
}
prune "$BACKUP_DIR/daily" "$KEEP_DAILY"
prune "$BACKUP_DIR/monthly" "$KEEP_MONTHLY"
echo "urbanmine backup: $target ($(du -h "$target" | cut -f1))"
