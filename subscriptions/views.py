"""Work in progress: replaced within this session (see subscriptions/urls.py)."""

from django.http import Http404, HttpRequest, HttpResponse

from accounts.access import public


@public
def _not_yet(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


creator_page = subscribe = my_subscriptions = cancel = resume = switch = _not_yet
packages = package_edit = package_publish = _not_yet
