import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from messaging import services, selectors, digest
from messaging.models import Thread, DigestItem, HubPreference
from django.core import mail

pytestmark = pytest.mark.django_db

def test_smoke(world, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    HubPreference.objects.create(user=world.supplier_lead, category="complaint", delivery="digest")
    with django_capture_on_commit_callbacks(execute=True):
        t = services.thread_create(actor=world.manager, partnership=world.partnership, subject="Vuil", body="**dirty** <script>x</script>", category="complaint",
            attachments=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 hello")])
        i = services.thread_create(actor=world.member, partnership=world.partnership, subject="intern", body="secret", internal=True)
    assert "script" not in t.messages.first().body_html
    assert i.visibility == "client_internal"
    assert set(Thread.objects.visible_to(world.supplier_lead)) == {t}
    assert set(Thread.objects.visible_to(world.facilitator)) == {t}
    assert set(Thread.objects.visible_to(world.manager)) == {t, i}
    assert selectors.unread_count(user=world.supplier_lead) == 1
    assert selectors.unread_count(user=world.manager) == 1  # member's internal thread
    assert DigestItem.objects.filter(user=world.supplier_lead).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(actor=world.supplier_lead, thread=t, body="on it")
    t.refresh_from_db()
    assert t.first_response_at is not None
    assert selectors.unread_count(user=world.supplier_lead) == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert digest.send_digests() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert digest.send_digests() == 0
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    print(mail.outbox[0].subject, mail.outbox[0].body)
    d = services.document_create(actor=world.supplier_lead, partnership=world.partnership, title="WI", category="work_instruction", file=SimpleUploadedFile("w.pdf", b"%PDF-1.4 x"))
    v = services.document_version_add(actor=world.supplier_lead, document=d, file=SimpleUploadedFile("w.pdf", b"%PDF-1.4 y"))
    assert v.number == 2
    with pytest.raises(Exception):
        services.document_version_add(actor=world.supplier_lead, document=d, file=SimpleUploadedFile("w.pdf", b"MZ\x90\x00"))
    from django.utils import timezone; from datetime import timedelta
    f = selectors.figures(partnership=world.partnership, start=timezone.now()-timedelta(days=1), end=timezone.now()+timedelta(days=1))
    print(f)
    assert f["threads"] == 1 and f["complaints"] == 1
