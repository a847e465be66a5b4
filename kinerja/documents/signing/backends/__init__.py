"""Signing backends: one class per way of making a signature, chosen by KINERJA_SIGNING_BACKEND.

- ``local``: kinerja.documents.signing.backends.local.LocalBackend (pyHanko on this server)
- ``bsre``: kinerja.documents.signing.backends.bsre.BsreBackend (the national BSrE eSign service)
- or the dotted path of any class with the interface of backends.base.BaseSigningBackend.
"""
