"""The OCDS change feed's query and its release package, as the OpenAPI document declares them
(the releases themselves follow the OCDS 1.1 release schema and the bids extension: free-form
objects here, with money as JSON numbers, as OCDS requires)."""

from __future__ import annotations

from marshmallow import fields, validate

from procurement.core import limits
from procurement.core.messages import N_
from procurement.web.api import Schema


class FeedArgs(Schema):
    since = fields.AwareDateTime(
        format="iso",
        metadata={"description": "RFC 3339 time with its offset: releases dated at or after it."},
    )
    cursor = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "Continue after a page: the cursor of its links.next."},
    )
    limit = fields.Integer(
        load_default=limits.DEFAULT_FEED_PAGE,
        validate=validate.Range(
            min=1,
            max=limits.MAX_FEED_PAGE,
            error=N_("Must be between {min} and {max} (MAX_FEED_PAGE)."),
        ),
        metadata={"description": "Releases on the page."},
    )


class PublisherSchema(Schema):
    name = fields.String(required=True)
    scheme = fields.String()
    uid = fields.String()
    uri = fields.String()


class LinksSchema(Schema):
    next = fields.String(required=True)


class PackageSchema(Schema):
    """What every OCDS 1.1 package of the platform carries."""

    uri = fields.String(required=True)
    version = fields.String(required=True)
    publishedDate = fields.String(required=True)  # OCDS field name
    publisher = fields.Nested(PublisherSchema, required=True)
    license = fields.String(required=True)
    publicationPolicy = fields.String(required=True)  # OCDS field name
    extensions = fields.List(fields.String(), required=True)


class ReleasePackageSchema(PackageSchema):
    """An OCDS 1.1 release package of the feed's releases, oldest first."""

    releases = fields.List(fields.Dict(), required=True)
    links = fields.Nested(LinksSchema)


class RecordSchema(Schema):
    ocid = fields.String(required=True)
    releases = fields.List(fields.Dict(), required=True)


class RecordPackageSchema(PackageSchema):
    """An OCDS 1.1 record package: a record per lot, its releases embedded."""

    records = fields.List(fields.Nested(RecordSchema), required=True)
