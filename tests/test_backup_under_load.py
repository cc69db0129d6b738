"""The backup-under-load harness (benchmarks/backup_load.py) at a handful of backups: each
one taken while a writer commits without pause passes its own check, passes it again
opened on its own, and holds every write acknowledged before it began, whole."""

from __future__ import annotations

from pathlib import Path

from benchmarks.backup_load import BackupSettings, run

# Writing without pause: the file stays small over a handful of backups.
SETTINGS = BackupSettings(backups=6, writers=1, seed=22, cli_every=3, pause_ms=0)


def test_backups_taken_during_writes_are_whole_and_checked(tmp_path: Path) -> None:
    figures = run(SETTINGS, tmp_path)

    assert figures.taken == SETTINGS.backups
    assert figures.by_cli == 2
    assert figures.failures == []
    assert figures.ok == SETTINGS.backups
    assert figures.live.ok, figures.live
    assert figures.committed > SETTINGS.backups  # the writer was busy throughout
