"""Personal API tokens: make one (shown once), list one's own, revoke one."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Status

from kinerja.core import tokens
from kinerja.core.token_models import ApiToken

from .auth import session_auth
from .schemas import Message, PathId, TokenCreated, TokenIn, TokenOut, ValidationMessage

router = Router(tags=["Tokens"])

ERRORS = {400: Message, 401: Message, 403: Message, 404: Message, 422: ValidationMessage}


def token_out(token: ApiToken) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


# A token is made from a logged-in session only: a token that leaked must not be able
# to mint its own successor and outlive its revocation.
@router.post(
    "/tokens",
    auth=[session_auth],
    response={201: TokenCreated, 413: Message, **ERRORS},
    summary="Make a token",
)
def create_token(request, payload: TokenIn):
    """Make a personal API token. The answer holds the token itself, this once only."""
    token, raw = tokens.create_token(by=request.auth, name=payload.name)
    return Status(201, {**token_out(token), "token": raw})


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, summary="My tokens")
def list_tokens(request):
    """One's own tokens, newest first, revoked ones included (never the tokens themselves)."""
    return [token_out(t) for t in ApiToken.objects.filter(user=request.auth)]


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS}, summary="Revoke a token")
def revoke_token(request, token_id: PathId):
    """Revoke one of one's own tokens; calls with it are refused from now on."""
    # Another user's token is "not found": its existence is none of the caller's business.
    token = ApiToken.objects.filter(pk=token_id, user=request.auth).first()
    if token is None:
        raise Http404(_("You have no token %(id)d.") % {"id": token_id})
    tokens.revoke_token(token=token, by=request.auth)
    return Status(204, None)
