#!/usr/bin/env bash
# Nightly dump of urbanmine's PostgreSQL database with retention (docs/deploy.md).
#   DATABASE_URL   the database (from /etc/urbanmine/urbanmine.env)
#   BACKUP_DIR     where dumps go (default /var/backups/urbanmine)
#   KEEP_DAILY     daily dumps kept (default 14); KEEP_MONTHLY: first-of-month dumps (12)
#   URBANMINE_DOCUMENTS_DIR  attached PDFs (certificates, permit decisions), archived next to
#                  the dump as documents-YYYY-MM-DD.tar (default /var/lib/urbanmine/documents)
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
docs_dir=${URBANMINE_DOCUMENTS_DIR:-/var/lib/urbanmine/documents}
docs_target="$BACKUP_DIR/daily/documents-$today.tar"
if [ -d "$docs_dir" ]; then  # files are only added (random names): a plain archive suffices
  tar -C "$docs_dir" -cf "$docs_target.partial" .
  mv "$docs_target.partial" "$docs_target"
fi
if [ "$(date +%d)" = "01" ]; then
  cp --reflink=auto "$target" "$BACKUP_DIR/monthly/"
  if [ -f "$docs_target" ]; then cp --reflink=auto "$docs_target" "$BACKUP_DIR/monthly/"; fi
fi

# retention: the newest KEEP_DAILY daily and KEEP_MONTHLY monthly dumps stay
prune() {  # directory, how many to keep
  for pattern in 'urbanmine-*.dump' 'documents-*.tar'; do
    find "$1" -maxdepth 1 -name "$pattern" -printf '%T@ %p\n' | sort -rn |
      tail -n +"$(($2 + 1))" | cut -d' ' -f2- | xargs -r -d '\n' rm --
  done
}
prune "$BACKUP_DIR/daily" "$KEEP_DAILY"
prune "$BACKUP_DIR/monthly" "$KEEP_MONTHLY"
echo "urbanmine backup: $target ($(du -h "$target" | cut -f1))"
