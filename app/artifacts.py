"""Fitted indexes published where every web node reads them.

A directory (``NLP_ARTIFACT_DIR``: a mount all web nodes and the worker share)
holds each artifact as ``NAME.VERSION.joblib``. A version is written under a
hidden temporary name, flushed to disk and then renamed, so a name that matches
is always a complete file; readers take the highest version and reload when a
higher one appears. The last few versions are kept, so a node still loading the
previous one is not left without it."""
import os
import re
import secrets
import time

import joblib

KEEP_VERSIONS = 3


class ArtifactStore:
    def __init__(self, directory):
        self.directory = directory

    def _pattern(self, name):
        return re.compile(re.escape(name) + r"\.([0-9]{20}-[0-9a-f]{8})\.joblib")

    def publish(self, name, value):
        """Writes a new version of ``name`` and returns it; readers see it whole or not at all."""
        os.makedirs(self.directory, exist_ok=True)
        # Time first, so versions sort by age; a random tail, so two writers never collide.
        version = f"{time.time_ns():020d}-{secrets.token_hex(4)}"
        temporary = os.path.join(self.directory, f".{name}.{version}.tmp")
        try:
            with open(temporary, "wb") as handle:
                joblib.dump(value, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.rename(temporary, os.path.join(self.directory, f"{name}.{version}.joblib"))
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
        _fsync_directory(self.directory)
        for old in self._versions(name)[:-KEEP_VERSIONS]:
            os.remove(self.path(name, old))
        return version

    def _versions(self, name):
        pattern = self._pattern(name)
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        return sorted(match.group(1) for match in map(pattern.fullmatch, names) if match)

    def newest(self, name):
        """The highest complete version of ``name``, or None before the first publication."""
        versions = self._versions(name)
        return versions[-1] if versions else None

    def path(self, name, version):
        return os.path.join(self.directory, f"{name}.{version}.joblib")

    def load(self, name, version):
        return joblib.load(self.path(name, version))


def _fsync_directory(directory):
    # The rename itself must reach the disk, or a crash could bring back the old name.
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
