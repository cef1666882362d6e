"""API: who am I, and my API tokens."""

from flask.views import MethodView

from procurement.auth import services
from procurement.auth.schemas import IssuedTokenSchema, MeSchema, TokenCreateSchema, TokenSchema
from procurement.web.api import Blueprint
from procurement.web.auth import api_actor
from procurement.web.session import get_session, now

blp = Blueprint("auth", __name__, description="Who you are, and your API tokens")


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self):
        """The user and organization the token acts for."""
        return api_actor()


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenSchema(many=True))
    def get(self):
        """List your API tokens (secrets are never shown again)."""
        return services.list_tokens(get_session(), actor=api_actor())

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, IssuedTokenSchema)
    def post(self, data):
        """Create an API token; the response shows its secret once."""
        issued = services.create_token(get_session(), actor=api_actor(), now=now(), **data)
        token = issued.token
        fields = ("id", "name", "prefix", "created_at", "expires_at", "revoked_at")
        return {**{name: getattr(token, name) for name in fields}, "token": issued.secret}


@blp.route("/tokens/<int:token_id>")
class TokenById(MethodView):
    @blp.response(200, TokenSchema)
    def delete(self, token_id):
        """Revoke one of your API tokens."""
        return services.revoke_token(get_session(), actor=api_actor(), token_id=token_id, now=now())
