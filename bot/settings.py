"""Settings from the environment and `.env`; names are fixed because operators script them."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LANGUAGES = ("zh", "en")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_HOURS = re.compile(r"^\s*([0-9]{1,2}):([0-9]{2})\s*-\s*([0-9]{1,2}):([0-9]{2})\s*$")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_proxy: str | None = None
    database_path: str = "data/minqing.sqlite3"
    # NoDecode: written "1,2" by operators, not as a JSON list.
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    staff_chat_id: int | None = None
    timezone: str = "Asia/Shanghai"
    default_language: str = "zh"
    office_name: str = "群众工作服务室"
    office_address: str = "市文物旅游局党政办公室"
    office_phone: str = "0000-00000000"
    # Working days Monday-Friday; the hours are the office's opening hours.
    office_hours: str = "09:00-17:00"
    # Deadlines (bot.core.deadlines): every figure is a setting, since provinces differ.
    # 2022 信访工作条例 art. 23: 15 days to decide on accepting a petition or complaint;
    petition_accept_days: int = Field(15, ge=1, le=365)
    # the office's own limit for deciding on a help request, suggestion or inquiry;
    accept_days: int = Field(15, ge=1, le=365)
    # art. 34: 60 days to handle a 申诉求决类 matter handled under art. 31(6), once extended
    # by up to 30 (EXTENSION_DAYS);
    handle_days: int = Field(60, ge=1, le=3650)
    extension_days: int = Field(30, ge=0, le=3650)
    # the office's limits for the rest: per kind, and per category of a classified petition
    # or complaint (art. 29 建议意见类, art. 30 检举控告类, art. 31(1)-(5) 依法定途径).
    kind_handle_days: Annotated[dict[str, int], NoDecode] = Field(
        default_factory=lambda: {"help": 30, "suggestion": 30, "inquiry": 15, "dispute": 30})
    category_handle_days: Annotated[dict[str, int], NoDecode] = Field(
        default_factory=lambda: {"suggestion": 30, "accusation": 60, "route": 15})
    # Whether those days are calendar days or working days (by the holiday calendar).
    deadline_counting: str = "calendar"
    # A petition or complaint is classified within CLASSIFY_DAYS of its claim, or its owner is
    # reminded; each deadline's answerable person is reminded DEADLINE_REMIND_DAYS before it
    # and on its day. OFFICE_LEADER_ID (empty: every leader) answers for unclaimed cases.
    classify_days: int = Field(1, ge=1, le=30)
    deadline_remind_days: int = Field(3, ge=0, le=60)
    office_leader_id: int | None = None
    auto_close_days: int = Field(7, ge=1, le=365)
    talk_weeks_ahead: int = Field(8, ge=1, le=104)
    max_active_bookings: int = Field(3, ge=1, le=100)
    booking_closes_hours: int = Field(2, ge=0, le=720)
    booking_reminder_hours: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [24, 1])
    host_list_time: str = "18:00"
    # Screening rounds (排查调处): they open at SCREENING_TIME on their day, close when the next
    # opens or after SCREENING_CLOSE_HOURS; a silent liaison is reminded once after
    # SCREENING_REMIND_HOURS. A 重大 or 特别重大 item wants its first measures reported within
    # SCREENING_MEASURES_HOURS (the two figures, in that order).
    screening_time: str = "09:00"
    screening_close_hours: int = Field(48, ge=1, le=24 * 31)
    screening_remind_hours: int = Field(24, ge=1, le=24 * 31)
    screening_measures_hours: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [2, 1])
    # The leaders' morning report, local time (working days; every day in a sensitive period).
    digest_time: str = "08:00"
    # The monthly circular (通报) to leaders on the 1st at DIGEST_TIME: units whose 及时受理率
    # or 按期办结率 fall below CIRCULAR_THRESHOLD per cent are named, and the cases' texts are
    # counted for each of CIRCULAR_KEYWORDS (a list the office keeps; no word segmentation).
    circular_threshold: float = Field(85, ge=0, le=100)
    circular_keywords: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["物业", "停车", "拆迁", "欠薪", "噪音", "漏水"])
    # Announcements (公示、听证、新闻发布会): whether a leader approves each before it is sent,
    # and the broadcast's share of Telegram's 30 messages a second (the rest stays free for
    # replies and relays).
    announcement_approval: bool = True
    broadcast_rate: float = Field(25, ge=1, le=30)
    duty_evening_time: str = "18:00"
    duty_morning_time: str = "08:00"
    # Flood control: past this many messages a minute a citizen is asked to slow down and staff
    # get one summary a minute; attachments go along up to FLOOD_ATTACHMENTS a minute.
    flood_messages: int = Field(20, ge=1, le=1000)
    flood_attachments: int = Field(5, ge=0, le=100)
    # The daily backup (SQLite's online backup API) at BACKUP_TIME, local; the last
    # BACKUP_KEEP are kept. An empty BACKUP_DIR turns it off.
    backup_dir: str = "data/backups"
    backup_time: str = "03:00"
    backup_keep: int = Field(14, ge=1, le=3650)
    # Telegram's pacing (30/s, 1/s a private chat, 20/min a group). Off only for tests and
    # benchmarks against a fake Bot API: Telegram answers a bot that ignores it with 429s.
    telegram_pacing: bool = True
    # A Bot API that cannot be reached at start is tried again for this long, then exit 1.
    startup_retry_minutes: float = Field(10, ge=0, le=1440)
    log_level: str = "INFO"

    @field_validator("bot_token", "telegram_proxy", "staff_chat_id", "office_leader_id",
                     mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("circular_keywords", mode="before")
    @classmethod
    def _split_words(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.replace("，", ",").split(",") if part.strip()]
        return value

    @field_validator("booking_reminder_hours", "screening_measures_hours", mode="before")
    @classmethod
    def _split_hours(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("booking_reminder_hours")
    @classmethod
    def _positive_hours(cls, value: list[int]) -> list[int]:
        if any(h <= 0 or h > 24 * 30 for h in value):
            raise ValueError("hours must be between 1 and 720, like 24,1")
        return sorted(set(value), reverse=True)

    @field_validator("kind_handle_days", "category_handle_days", mode="before")
    @classmethod
    def _split_days(cls, value: object) -> object:
        """Written `help:30,inquiry:15` by operators."""
        if not isinstance(value, str):
            return value
        days: dict[str, object] = {}
        for part in filter(None, (p.strip() for p in value.split(","))):
            name, sep, figure = part.partition(":")
            if not sep:
                raise ValueError("must be name:days pairs, like help:30,inquiry:15")
            days[name.strip()] = figure.strip()
        return days

    @field_validator("kind_handle_days")
    @classmethod
    def _kinds(cls, value: dict[str, int]) -> dict[str, int]:
        return _days_for(value, ("help", "suggestion", "inquiry", "dispute"))

    @field_validator("category_handle_days")
    @classmethod
    def _categories(cls, value: dict[str, int]) -> dict[str, int]:
        return _days_for(value, ("suggestion", "accusation", "route"))

    @field_validator("deadline_counting")
    @classmethod
    def _counting(cls, value: str) -> str:
        if value.strip() not in ("calendar", "working"):
            raise ValueError("must be calendar or working")
        return value.strip()

    @field_validator("screening_measures_hours")
    @classmethod
    def _two_hours(cls, value: list[int]) -> list[int]:
        if len(value) != 2 or any(h <= 0 or h > 24 * 7 for h in value):
            raise ValueError("two figures in hours, for 重大 then 特别重大, like 2,1")
        return value

    @field_validator("host_list_time", "duty_evening_time", "duty_morning_time", "backup_time",
                     "screening_time", "digest_time")
    @classmethod
    def _check_clock(cls, value: str) -> str:
        match = re.match(r"^([0-9]{1,2}):([0-9]{2})$", value.strip())
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise ValueError("must be a time of day like 18:00")
        return value.strip()

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("telegram_proxy")
    @classmethod
    def _check_proxy(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^(https?|socks5h?)://[^\s/]+", value.strip()):
            raise ValueError("must be a proxy URL such as socks5://127.0.0.1:1080")
        return value.strip() if value else value

    @field_validator("telegram_api_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org")
        return value.rstrip("/")

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("staff_chat_id")
    @classmethod
    def _check_group(cls, value: int | None) -> int | None:
        if value is not None and value >= 0:
            raise ValueError("must be a group's id, which is negative, like -1001234567890")
        return value

    @field_validator("database_path")
    @classmethod
    def _check_path(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must name a file, like data/minqing.sqlite3")
        return value.strip()

    @field_validator("timezone")
    @classmethod
    def _check_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("default_language")
    @classmethod
    def _check_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("office_hours")
    @classmethod
    def _check_hours(cls, value: str) -> str:
        match = _HOURS.match(value)
        if not match:
            raise ValueError("must look like 09:00-17:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60) or (h1, m1) >= (h2, m2):
            raise ValueError("must be a start before an end within one day, like 09:00-17:00")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def opening_hours(self) -> tuple[time, time]:
        match = _HOURS.match(self.office_hours)
        assert match
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        return time(h1, m1), time(h2, m2)

    @property
    def token(self) -> str | None:
        return self.bot_token.get_secret_value() if self.bot_token else None


def _days_for(value: dict[str, int], names: tuple[str, ...]) -> dict[str, int]:
    """Every name given a figure of 1-3650 days, and no other name."""
    unknown = set(value) - set(names)
    if unknown:
        raise ValueError(f"unknown {', '.join(sorted(unknown))}; names are {', '.join(names)}")
    missing = [n for n in names if n not in value]
    if missing:
        raise ValueError(f"gives no days for {', '.join(missing)}")
    if any(not 1 <= days <= 3650 for days in value.values()):
        raise ValueError("days must be between 1 and 3650")
    return value


class SettingsError(Exception):
    """One line naming the key that is wrong; start-up stops with exit code 2."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise SettingsError(f"Invalid setting {key}: {first['msg']}") from None
