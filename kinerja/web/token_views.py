"""The page of one's personal API tokens: make one (shown once), see them, revoke one.

The new token is shown in the answer to the POST that made it, not after a
redirect: carrying it over a redirect would mean writing it into the session
(the database), and only its hash may be stored. The answer is marked no-store
so that no cache keeps it either.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kinerja.core import limits, tokens
from kinerja.core.errors import DomainError
from kinerja.core.token_models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What is the token for?"),
        max_length=limits.TOKEN_NAME,
        required=False,  # the service says what is missing, in the same words as the API
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. monthly recap script")}),
    )


@login_required
@never_cache
def token_list(request):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = tokens.create_token(by=request.user, name=form.cleaned_data["name"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            created = {"token": token, "raw": raw}
            form = TokenForm()
    context = {
        "form": form,
        "created": created,
        "tokens": ApiToken.objects.filter(user=request.user),
        "api_base": request.build_absolute_uri(reverse("api:api-root")),
    }
    return render(request, "web/tokens.html", context)


@login_required
@require_POST
def token_revoke(request, pk):
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404(_("You have no token %(id)d.") % {"id": pk})
    tokens.revoke_token(token=token, by=request.user)
    messages.success(
        request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name}
    )
    return redirect("web:tokens")
