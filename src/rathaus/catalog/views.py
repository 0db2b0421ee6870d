from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def finder(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


a_to_z = offices = maturity_levels = finder


def office(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "base.html")


detail = office
