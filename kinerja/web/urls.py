from django.urls import path, re_path

from . import (
    document_views,
    home_views,
    performance_dashboard_views,
    performance_views,
    process_views,
    register_views,
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
    path("kinerja/dashboard/", performance_dashboard_views.dashboard, name="performance-dashboard"),
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
