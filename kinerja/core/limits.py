"""How long a typed text may be: one number per kind of input, for the pages and the API alike.

The forms of the pages (kinerja/web) and the schemas of the API (kinerja/api/schemas.py)
take their max_length from here, so a text the page refuses is refused by the API too
(with the same limit in its OpenAPI document), and neither stores a megabyte in a note
or in the audit log. Each is at most the column it lands in, where it has one.
"""

NOTE = 4000  # a note with an action, a reviewer's note, what changed in a version
REASON = 2000  # why a kelengkapan is waived, a task reassigned, a process cancelled
REFERENCE = 300  # a name or reference: a step's output, a kelengkapan, a process title,
# an archive description, a recipient (Task.output_reference, Process.title: 300)
LOCATION = 200  # where a version is filed (ArchiveEntry.location)
NAME = 200  # a document type's name, a signer's name
BRANCH = 60  # the label of a decision's branch (Task.branch)
CODE = 60  # an SOP's number or slug, a unit's code (Sop.number, Unit.code)
CLASSIFICATION = 30  # an archive classification code (ArchiveClassification.code)
LETTER_NUMBER = 120  # a letter's number (LetterNumber.number)
TOKEN_NAME = 100  # the name of a personal API token
NIK = 16  # the signer's NIK for BSrE (16 digits)
PASSPHRASE = 200  # the signer's BSrE passphrase (never stored)
YEAR_MIN, YEAR_MAX = 2000, 2100  # the period of a process
COPIES_MIN, COPIES_MAX = 1, 100  # copies of a filed version
