"""The jobs table: one row per piece of long work asked for, shown on the pages (status,
progress counts done of total, result or failure, attempts, who asked, when)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from procurement.db import Base, enum_type


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Job(Base):
    """``result`` and ``error`` are stored sentences (``core.messages.Message``, shown with
    ``|msg``). ``subject_*`` names what the work was asked for (a tender), ``outcome_*`` what it
    made (an award run), so pages can link both. ``queue_job_id`` is procrastinate's job."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_org_id_id", "org_id", "id"),
        Index("ix_jobs_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(80))
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus, 16), default=JobStatus.QUEUED)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    outcome_type: Mapped[str | None] = mapped_column(String(40))
    outcome_id: Mapped[int | None]
    queue_job_id: Mapped[int | None]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
