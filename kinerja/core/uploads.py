"""Where Django keeps a large upload while the request runs.

Django writes an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file
in FILE_UPLOAD_TEMP_DIR and deletes it when the request ends; a server killed in
between leaves the file behind. Kinerja gives these files a folder of their own
(var/upload-tmp by default), so that `manage.py document sweep` can remove the stale
ones without touching anyone else's files, and makes the folder when it starts.
"""

import logging
import os

from django.conf import settings

logger = logging.getLogger(__name__)

# Django names its temporary upload files tmpXXXXXXXX.upload.EXT (TemporaryUploadedFile);
# the sweep removes only such names, even from a folder that is shared after all.
TEMP_NAME_PATTERN = "tmp*.upload*"


def temp_dir() -> str | None:
    """FILE_UPLOAD_TEMP_DIR, or None where Django uses the system's temporary folder."""
    return str(settings.FILE_UPLOAD_TEMP_DIR) if settings.FILE_UPLOAD_TEMP_DIR else None


def ensure_temp_dir() -> None:
    """Make FILE_UPLOAD_TEMP_DIR (only its owner may look in); when that fails, Django's own
    check (files.E001) says which folder is missing."""
    folder = temp_dir()
    if folder:
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
        except OSError as exc:
            logger.warning("Cannot make FILE_UPLOAD_TEMP_DIR %s: %s", folder, exc)
