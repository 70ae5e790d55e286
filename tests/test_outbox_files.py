"""Files the office generates go through the outbox durably: kept until Telegram has them,
uploaded once however many people get them, uploaded again on a retry, refused in words when
too large."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.rules import RuleError
from bot.core.said import DOCUMENT_LIMIT, PHOTO_LIMIT, SendFile
from tests.harness import STAFF, STAFF2, Office

LEDGER = b"PK\x03\x04 a ledger's bytes " * 100


def send_ledger(unit, to: list[int], content: bytes = LEDGER, as_photo: bool = False) -> None:
    for person in to:
        unit.tell(SendFile(person, "zh", "ledger.xlsx", content, as_photo=as_photo,
                           caption_key="raw", params={"text": "台帐"}))


async def test_a_file_for_several_people_is_uploaded_once_and_its_bytes_go(
        office: Office) -> None:
    await office.minqing.services.run(send_ledger, [STAFF, STAFF2])
    kept = await office.rows("SELECT size, content IS NOT NULL AS kept, file_id FROM outbox_files")
    assert kept == [{"size": len(LEDGER), "kept": 1, "file_id": None}]  # kept until sent
    await office.settle()
    assert len(office.api.uploads_received) == 1
    upload = office.api.uploads_received[0]
    assert upload.content == LEDGER and upload.name == "ledger.xlsx"
    calls = office.api.sent(method="sendDocument")
    assert [c.params["chat_id"] for c in calls] == [STAFF, STAFF2]
    assert calls[0].files and not calls[1].files  # the second goes by the file_id
    assert calls[1].params["document"] == upload.file_id
    assert calls[0].params["caption"] == "台帐"
    stored = await office.rows("SELECT content IS NULL AS gone, file_id FROM outbox_files")
    assert stored == [{"gone": 1, "file_id": upload.file_id}]
    # The same file later goes by its id, without its bytes being stored again.
    await office.minqing.services.run(send_ledger, [STAFF])
    await office.settle()
    assert len(office.api.uploads_received) == 1
    assert await office.rows("SELECT COUNT(*) AS n FROM outbox_files") == [{"n": 1}]


async def test_a_retry_uploads_the_file_again(office: Office, clock) -> None:
    office.api.fail(502, "Bad Gateway", method="sendPhoto")
    await office.minqing.services.run(send_ledger, [STAFF], b"\x89PNG chart", True)
    await office.settle()
    assert office.api.uploads_received == []  # the first try failed
    kept = await office.rows("SELECT content IS NOT NULL AS kept FROM outbox_files")
    assert kept == [{"kept": 1}]
    clock.moment += timedelta(seconds=5)
    await office.settle()
    assert [u.content for u in office.api.uploads_received] == [b"\x89PNG chart"]
    assert office.api.sent(STAFF, "sendPhoto")[0].files
    assert await office.rows("SELECT state FROM outbox WHERE file_ref IS NOT NULL") == [
        {"state": "sent"}]


async def test_a_file_nobody_can_receive_is_not_kept(office: Office) -> None:
    office.api.fail(403, "Forbidden: bot was blocked by the user", method="sendDocument")
    await office.minqing.services.run(send_ledger, [STAFF])
    await office.settle()
    assert await office.rows("SELECT content IS NULL AS gone FROM outbox_files") == [
        {"gone": 1}]


@pytest.mark.parametrize(("as_photo", "limit"), [(True, PHOTO_LIMIT), (False, DOCUMENT_LIMIT)])
async def test_a_file_over_telegram_s_limit_is_refused_before_it_is_queued(
        office: Office, as_photo: bool, limit: int) -> None:
    with pytest.raises(RuleError) as refused:
        await office.minqing.services.run(send_ledger, [STAFF], b"x" * (limit + 1), as_photo)
    assert refused.value.key == "err_file_too_large"
    assert await office.rows("SELECT COUNT(*) AS n FROM outbox_files") == [{"n": 0}]
    from bot.texts import t

    words = t("zh", refused.value.key, **refused.value.params)
    assert "ledger.xlsx" in words and f"{limit // 1024 // 1024} 兆" in words
