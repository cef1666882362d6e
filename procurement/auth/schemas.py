"""Wire formats of organizations, users and tokens."""

from marshmallow import fields, validate

from procurement.auth.models import InstitutionType, OrgKind, Role
from procurement.auth.passwords import PASSWORD_MAX_LENGTH
from procurement.core.limits import MAX_TOKEN_VALID_DAYS
from procurement.core.messages import N_
from procurement.web.api import Schema

ORG_KINDS = {"type": "string", "enum": [kind.value for kind in OrgKind]}
INSTITUTION_TYPES = {"type": "string", "enum": [t.value for t in InstitutionType]}
ROLE_ENUM = {"type": "string", "enum": [role.value for role in Role]}


class OrganizationSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String()
    name = fields.String()
    kind = fields.Function(lambda o: o.kind.value, metadata=ORG_KINDS)
    region_code = fields.String()
    institution_type = fields.Function(
        lambda o: o.institution_type.value if o.institution_type else None,
        metadata={**INSTITUTION_TYPES, "nullable": True},
    )
    parent_id = fields.Integer(allow_none=True)
    address = fields.String(allow_none=True)


class MeSchema(Schema):
    user_id = fields.Integer()
    username = fields.String()
    role = fields.Function(lambda a: a.role.value, metadata=ROLE_ENUM)
    org_id = fields.Integer()
    org_kind = fields.Function(lambda a: a.org_kind.value, metadata=ORG_KINDS)
    region_code = fields.String()


class TokenCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    valid_days = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(
            min=1,
            max=MAX_TOKEN_VALID_DAYS,
            error=N_("Must be from {min} to {max} days (MAX_TOKEN_VALID_DAYS)."),
        ),
    )


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True, metadata={"description": "null: never"})
    revoked_at = fields.DateTime(allow_none=True, metadata={"description": "null: in use"})


class IssuedTokenSchema(TokenSchema):
    token = fields.String(metadata={"description": "The secret; shown only once"})


ROLES = [r.value for r in Role]


class MemberCreateSchema(Schema):
    """A user an organization's admin adds (no password: one is generated and shown once)."""

    username = fields.String(
        required=True, validate=[validate.Length(min=1, max=80), validate.Regexp(r"^\S+$")]
    )
    display_name = fields.String(load_default="", validate=validate.Length(max=120))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    password = fields.String(load_default=None, validate=validate.Length(max=PASSWORD_MAX_LENGTH))


class MemberRoleSchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class PasswordResetSchema(Schema):
    """An admin's reset: a password of their choice, or none (one is generated)."""

    password = fields.String(load_default=None, validate=validate.Length(max=PASSWORD_MAX_LENGTH))
