"""Placeholder views; the citizen pages replace them."""

from django.http import Http404, HttpRequest, HttpResponse


def index(request: HttpRequest) -> HttpResponse:
    raise Http404


def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


paper = person = meeting


def organization(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    raise Http404
