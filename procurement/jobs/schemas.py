"""Jobs on the wire: a job's status, progress (done of total), result or failure, attempts and
links to what it made and to the file it made."""

from __future__ import annotations

from marshmallow import fields

from procurement.jobs.models import JobStatus
from procurement.web.api import Schema


class JobLinksSchema(Schema):
    self = fields.String(required=True, metadata={"description": "This job"})
    outcome = fields.String(
        allow_none=True,
        metadata={"description": "What the job made (an award run, a settlement run ...)"},
    )
    file = fields.String(
        allow_none=True, metadata={"description": "The file the job made (a large export)"}
    )


class JobSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.String(metadata={"description": "The task (award.run, settlement.run ...)"})
    title = fields.String(metadata={"description": "What the pages call such a job"})
    status = fields.Enum(JobStatus, by_value=True)
    done = fields.Integer(metadata={"description": "Steps done (lots solved, batches paid ...)"})
    total = fields.Integer(allow_none=True, metadata={"description": "Steps in all, once known"})
    result = fields.String(allow_none=True, metadata={"description": "What it did, on success"})
    error = fields.String(allow_none=True, metadata={"description": "Why it failed"})
    attempts = fields.Integer(metadata={"description": "Runs so far (retries count)"})
    subject_type = fields.String(allow_none=True)
    subject_id = fields.Integer(allow_none=True)
    outcome_type = fields.String(allow_none=True)
    outcome_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    links = fields.Nested(JobLinksSchema)
