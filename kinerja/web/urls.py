from django.urls import path, re_path

from . import (
    agreement_views,
    completeness_views,
    document_views,
    evidence_views,
    home_views,
    performance_views,
    process_views,
    register_views,
    renstra_views,
    serapan_views,
    token_views,
    views,
)

app_name = "web"

urlpatterns = [
    path("", home_views.home, name="home"),
    path("sop/", views.sop_list, name="sop-list"),
    path("sop/<slug:slug>/", views.sop_detail, name="sop-detail"),
    path("sop/<slug:slug>/pdf/", views.sop_pdf, name="sop-pdf"),
    path("sop/<slug:slug>/yaml/", views.sop_yaml, name="sop-yaml"),
    path("sop/<slug:slug>/bpmn/", views.sop_bpmn, name="sop-bpmn"),
    path("sop/<slug:slug>/revise/", views.sop_revise, name="sop-revise"),
    path("sop/<slug:slug>/publish/", views.sop_publish, name="sop-publish"),
    # Running SOPs: my tasks, processes, actions on tasks, notifications.
    path("tasks/", process_views.my_tasks, name="my-tasks"),
    re_path(
        r"^tasks/(?P<pk>[0-9]+)/(?P<action>finish|paraf|sign|return|choose|waive|reassign)/$",
        process_views.task_action,
        name="task-action",
    ),
    path("processes/", process_views.process_list, name="process-list"),
    path("processes/start/", process_views.process_start, name="process-start"),
    path("processes/<int:pk>/", process_views.process_detail, name="process-detail"),
    path("processes/<int:pk>/cancel/", process_views.process_cancel, name="process-cancel"),
    path("processes/<int:pk>/access/", process_views.process_access_grant, name="process-access"),
    path(
        "processes/<int:pk>/access/<int:person_pk>/revoke/",
        process_views.process_access_revoke,
        name="process-access-revoke",
    ),
    path("notifications/", process_views.notification_list, name="notifications"),
    # Performance data: capaian, realisasi entry and review, the quarter's sheet.
    path("kinerja/", performance_views.performance, name="performance"),
    path("kinerja/kelengkapan/", completeness_views.completeness, name="performance-completeness"),
    path(
        "kinerja/kelengkapan.xlsx",
        completeness_views.completeness_xlsx,
        name="performance-completeness-xlsx",
    ),
    path("kinerja/bukti/attach/", evidence_views.attach, name="performance-evidence-attach"),
    path("kinerja/bukti/detach/", evidence_views.detach, name="performance-evidence-detach"),
    path(
        "kinerja/bukti/<uuid:public_id>/",
        evidence_views.download,
        name="performance-evidence",
    ),
    path("kinerja/enter/", performance_views.enter, name="performance-enter"),
    path("kinerja/lock/", performance_views.review, {"decision": "lock"}, name="performance-lock"),
    path(
        "kinerja/return/",
        performance_views.review,
        {"decision": "return"},
        name="performance-return",
    ),
    path("kinerja/close/", performance_views.close, name="performance-close"),
    path("kinerja/sheet/", performance_views.sheet, name="performance-sheet"),
    path("kinerja/upload/", performance_views.upload, name="performance-upload"),
    path("kinerja/pk/", agreement_views.agreement_list, name="agreements"),
    path("kinerja/pk/draft/", agreement_views.agreement_draft, name="agreement-draft"),
    path("kinerja/pk/<int:pk>/", agreement_views.agreement_detail, name="agreement"),
    path("kinerja/pk/<int:pk>/sign/", agreement_views.agreement_sign, name="agreement-sign"),
    path("kinerja/pk/<int:pk>/revise/", agreement_views.agreement_revise, name="agreement-revise"),
    path("kinerja/pk/<int:pk>/sheet/", agreement_views.agreement_sheet, name="agreement-sheet"),
    path("kinerja/serapan/", serapan_views.serapan, name="serapan"),
    path("kinerja/serapan/enter/", serapan_views.enter, name="serapan-enter"),
    path("kinerja/serapan/lock/", serapan_views.review, {"decision": "lock"}, name="serapan-lock"),
    path(
        "kinerja/serapan/return/",
        serapan_views.review,
        {"decision": "return"},
        name="serapan-return",
    ),
    path("kinerja/serapan/sheet/", serapan_views.sheet, name="serapan-sheet"),
    path("kinerja/serapan/upload/", serapan_views.upload, name="serapan-upload"),
    # The plan: Renstra, sasaran, indicators (each with its page), the plan's sheet.
    path("kinerja/renstra/", renstra_views.renstra, name="renstra"),
    re_path(
        r"^kinerja/renstra/add/(?P<what>goal|objective)/$",
        renstra_views.renstra_add,
        name="renstra-add",
    ),
    re_path(
        r"^kinerja/renstra/version/(?P<step>new|in-force)/$",
        renstra_views.renstra_version,
        name="renstra-version",
    ),
    path("kinerja/renstra/sheet/", renstra_views.plan_sheet, name="renstra-sheet"),
    path("kinerja/renstra/upload/", renstra_views.plan_upload, name="renstra-upload"),
    path(
        "kinerja/renstra/sasaran/<int:pk>/", renstra_views.objective_page, name="renstra-objective"
    ),
    re_path(
        r"^kinerja/renstra/sasaran/(?P<pk>[0-9]+)/add/(?P<what>child|indicator)/$",
        renstra_views.objective_add,
        name="renstra-objective-add",
    ),
    path(
        "kinerja/renstra/indikator/<int:pk>/",
        renstra_views.indicator_page,
        name="renstra-indicator",
    ),
    re_path(
        r"^kinerja/renstra/indikator/(?P<pk>[0-9]+)/(?P<what>manual|targets)/$",
        renstra_views.indicator_edit,
        name="renstra-indicator-edit",
    ),
    path("notifications/read/", process_views.notification_read, name="notifications-read"),
    # Personal API tokens (see docs/api.md).
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token-revoke"),
    # Document registers: documents, archive, letter numbers, verification.
    path("documents/", register_views.documents, name="documents"),
    path("documents/verify/", register_views.document_verify, name="document-verify"),
    # Public (no login): the page the QR code of a signature stamp opens.
    path("v/<uuid:public_id>/", register_views.document_check, name="document-check"),
    path("archive/", register_views.archive_register, name="archive-register"),
    path("archive/xlsx/", register_views.archive_export, name="archive-export"),
    path("numbers/", register_views.numbering_book, name="numbering"),
    path("numbers/take/", register_views.numbering_take, name="numbering-take"),
    path("numbers/<int:pk>/cancel/", register_views.numbering_cancel, name="numbering-cancel"),
    # Documents of a process: versions, letters, the final version, archive, dispatch.
    path(
        "processes/<int:pk>/documents/upload/",
        document_views.process_upload,
        name="document-upload",
    ),
    path("tasks/<int:pk>/upload/", document_views.task_upload, name="document-task-upload"),
    path("tasks/<int:pk>/letter/", document_views.task_letter, name="document-letter"),
    path("tasks/<int:pk>/archive/", document_views.task_archive, name="document-archive"),
    path("tasks/<int:pk>/dispatch/", document_views.task_dispatch, name="document-dispatch"),
    path(
        "documents/<uuid:public_id>/download/",
        document_views.download,
        name="document-download",
    ),
    path("documents/<uuid:public_id>/docx/", document_views.download_docx, name="document-docx"),
    path("documents/<uuid:public_id>/final/", document_views.mark_final, name="document-final"),
    path("dispatches/<int:pk>/receipt/", document_views.receipt, name="document-receipt"),
]
