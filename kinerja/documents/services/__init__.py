"""Writing documents: versions, paraf, signatures, letters, the archive, dispatch.

Split along its seams: `storage` (a file and its record together), `versions`
(documents, uploads, the final version, merged names), `review` (what a paraf,
a return and a signature do to the draft), `letters` (a numbered letter as PDF
and DOCX) and `registers` (the archive register, dispatch and receipt).

The pages, the API and the commands do not call these: they call
kinerja.actions, which calls them inside the engine's one primitive for task
actions (kinerja.workflow.engine.act) or on their own for the rest.
"""

from ..verification import verify_url
from .downloads import download_stream, record_download
from .letters import LetterResult, generate_letter
from .registers import archive, dispatch, file_version, record_receipt, send_version
from .review import (
    PreparedSignature,
    certificate_key,
    drafts_under_review,
    prepare_signature,
    record_paraf,
    record_return,
    record_signature,
    signer_identity,
    signing_source,
)
from .storage import FileGuard, stored_atomically
from .versions import (
    add_version,
    document_for,
    latest_version,
    mark_final,
    merge_document_types,
    upload,
)

__all__ = [
    "FileGuard",
    "LetterResult",
    "PreparedSignature",
    "add_version",
    "archive",
    "certificate_key",
    "dispatch",
    "document_for",
    "download_stream",
    "drafts_under_review",
    "file_version",
    "generate_letter",
    "latest_version",
    "mark_final",
    "merge_document_types",
    "prepare_signature",
    "record_paraf",
    "record_download",
    "record_receipt",
    "record_return",
    "record_signature",
    "send_version",
    "signer_identity",
    "signing_source",
    "stored_atomically",
    "upload",
    "verify_url",
]
