"""The problems the auth area refuses requests with: one class per problem type, raised
and caught by type (codes, titles and detail templates; see ``core/errors.py``)."""

from __future__ import annotations

from procurement.core.errors import N_, Conflict, Forbidden, NotFound, ValidationFailed


class LoginRequired(Forbidden):
    when = N_("A page or operation needs a logged-in user.")
    template = N_("Log in to {action}.")


class WrongOrganizationKind(Forbidden):
    code = "wrong-organization-kind"
    title = N_("Wrong organization kind")
    when = N_("Another kind of organization (hospital, manufacturer, regulator...) does this.")
    template = N_("Only a {allowed} organization may {action}; you act for a {actor_kind}.")


class ReadOnlyRole(Forbidden):
    code = "read-only-role"
    title = N_("Read-only role")
    when = N_("The user's role may only read; an admin or operator of the organization does this.")
    template = N_("Your role '{role}' is read-only; ask an admin to {action}.")


class UserNotFound(NotFound):
    when = N_("The user to change does not exist (any more).")
    template = N_("There is no such user.")


class WrongCurrentPassword(ValidationFailed):
    when = N_("Changing a password with a wrong current password.")
    template = N_("The current password is wrong.")


class PasswordPolicy(ValidationFailed):
    when = N_("A new password is too short, too common, or like the user name.")
    template = N_("The new password does not meet the password policy.")


class BadRegionCode(ValidationFailed):
    when = N_("A region code is not a six-digit GB/T 2260 code.")
    template = N_("{field} must be a six-digit GB/T 2260 code such as 310000 or 310101")


class UnknownOrganizationKind(ValidationFailed):
    when = N_("An organization is created with an unknown kind.")
    template = N_("kind must be one of {kinds}")


class BadInstitutionType(ValidationFailed):
    when = N_("A buyer is created with an unknown institution type, or another kind with one.")
    template = N_("institution_type must be one of {types}, and only for a buyer")


class BadParentOrganization(ValidationFailed):
    when = N_(
        "A member or store names a parent that does not exist or cannot have it "
        "(a medical community's members; a pharmacy chain's stores)."
    )
    template = N_("the parent of a {child} must be one of: {parents}")


class OrganizationFieldsMissing(ValidationFailed):
    when = N_("An organization is created without a code or a name.")
    template = N_("code and name are required")


class DuplicateOrganization(Conflict):
    code = "duplicate-organization"
    title = N_("Duplicate organization")
    when = N_("An organization with that code exists already.")
    template = N_("An organization with code '{org_code}' already exists; choose another code.")


class OrganizationNotFound(NotFound):
    when = N_("No organization has the code given.")
    template = N_("No organization with code '{org_code}'; create it first.")


class NotOrganizationAdmin(Forbidden):
    when = N_("Someone other than an admin of the organization adds a user to it.")
    template = N_("Only an admin of the organization may add its users.")


class UserNotValid(ValidationFailed):
    when = N_("A user is created with an unknown role, a weak password or no user name.")
    template = N_("The user cannot be created as given.")


class DuplicateUser(Conflict):
    code = "duplicate-user"
    title = N_("Duplicate user")
    when = N_("The user name is taken.")
    template = N_("The username '{username}' is taken; choose another.")


class TokenNameMissing(ValidationFailed):
    when = N_("An API token is created without a name.")
    template = N_("Give the token a name.")


class TokenValidityOutOfRange(ValidationFailed):
    when = N_("An API token's validity is outside the allowed days.")
    template = N_("valid_days must be from 1 to {maximum} (MAX_TOKEN_VALID_DAYS).")


class TokenNotFound(NotFound):
    when = N_("The API token to revoke is not one of the user's.")
    template = N_("You have no API token {token_id}.")


class TokenAlreadyRevoked(Conflict):
    code = "token-already-revoked"
    title = N_("Token already revoked")
    when = N_("The API token is revoked already.")
    template = N_("Token {token_id} is already revoked.")


class AdminRoleRequired(Forbidden):
    code = "admin-role-required"
    title = N_("Admin role required")
    when = N_("Managing an organization's users needs the admin role in that organization.")
    template = N_("Only an admin of your organization may {action}.")


class MemberNotFound(NotFound):
    code = "user-not-found"
    title = N_("User not found")
    when = N_("The user is not one of the organization's users (or does not exist).")
    template = N_("Your organization has no user {user_id}.")


class LastAdmin(Conflict):
    code = "last-admin"
    title = N_("Last active admin")
    when = N_("Deactivating or demoting the organization's last active admin.")
    template = N_(
        "{username} is the organization's last active admin; make another user an admin first."
    )


class NotYourMember(Forbidden):
    code = "not-your-member"
    title = N_("Not your member")
    when = N_(
        "A request names a buyer that is neither the caller nor a member of its county medical "
        "community."
    )
    template = N_(
        "Organization {buyer_id} is not a member of your medical community; act for yourself "
        "or for one of your members."
    )
