"""The actions on a process's documents outside a task action, and on the registers.

Uploads, letters, the final version, receipts, letter numbers, merged names, and
the download log's entry for each file handed out:
each is one function of the documents services, named here so that the pages,
the API and the commands have one module to write through.
"""

from kinerja.documents import numbering
from kinerja.documents.services import (
    add_version,
    archive,
    dispatch,
    generate_letter,
    mark_final,
    merge_document_types,
    record_download,
    record_receipt,
    upload,
)

take_number = numbering.take
cancel_number = numbering.cancel

__all__ = [
    "add_version",
    "archive",
    "cancel_number",
    "dispatch",
    "generate_letter",
    "mark_final",
    "merge_document_types",
    "record_download",
    "record_receipt",
    "take_number",
    "upload",
]
