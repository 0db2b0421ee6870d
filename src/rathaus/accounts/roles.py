"""Roles are groups with permissions; this module is their single definition."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

CITIZEN = "Bürger*in"
CLERK = "Sachbearbeitung"
OFFICE_LEAD = "Fachbereichsleitung"
COUNCIL_MEMBER = "Ratsmitglied"
COUNCIL_OFFICE = "Ratsbüro"
DIGITAL_OFFICER = "Digitalisierungsbeauftragte"
ADMINISTRATOR = "Administration"
NEWS_EDITOR = "Redaktion"

ROLE_LABELS = {
    CITIZEN: _("Bürgerin oder Bürger"),
    CLERK: _("Sachbearbeitung"),
    OFFICE_LEAD: _("Fachbereichsleitung"),
    COUNCIL_MEMBER: _("Ratsmitglied"),
    COUNCIL_OFFICE: _("Ratsbüro"),
    DIGITAL_OFFICER: _("Digitalisierungsbeauftragte"),
    ADMINISTRATOR: _("Administration"),
    NEWS_EDITOR: _("Redaktion (Presse und Öffentlichkeitsarbeit)"),
}

# Staff roles work inside the administration and must sign in with a second factor.
STAFF_ROLES = (CLERK, OFFICE_LEAD, COUNCIL_OFFICE, DIGITAL_OFFICER, ADMINISTRATOR, NEWS_EDITOR)

# These roles act for the whole administration; everyone else with catalog rights works only
# on the services of their own office (see `accounts.selectors.office_scope`).
ALL_OFFICES_ROLES = (DIGITAL_OFFICER, ADMINISTRATOR)

_CATALOG_READ = ["catalog.view_service", "accounts.view_office"]
_CATALOG_EDIT = [*_CATALOG_READ, "catalog.change_service", "catalog.add_service"]

# The council office prepares meetings and publishes papers; publishing is a change of the
# public flag, so "change" is the right to publish.
_COUNCIL_OBJECTS = [
    "organization",
    "person",
    "membership",
    "meeting",
    "agendaitem",
    "paper",
    "file",
    "consultation",
    "vote",
    "location",
]
_COUNCIL_OFFICE = [
    f"council.{action}_{model}"
    for model in _COUNCIL_OBJECTS
    for action in ("view", "add", "change")
]

# Clerks work the cases of their office; office leads also edit the office's forms.
_CASES_WORK = ["cases.view_case", "cases.change_case", "cases.add_case", "cases.work_case"]
# Office leads write the letter templates of their office (administrators: for all offices).
_LETTER_TEMPLATES = [
    "cases.view_lettertemplate",
    "cases.add_lettertemplate",
    "cases.change_lettertemplate",
]
_FORMS_EDIT = [
    "forms.view_formdefinition",
    "forms.add_formdefinition",
    "forms.change_formdefinition",
    "forms.view_formversion",
    "forms.add_formversion",
    "forms.change_formversion",
]

# The press office publishes news and events and sends the newsletter.
_NEWS_EDIT = [
    f"news.{action}_{model}"
    for model in ("announcement", "event", "category", "topic")
    for action in ("view", "add", "change", "delete")
]
_NEWSLETTER = [
    "newsletter.view_issue",
    "newsletter.add_issue",
    "newsletter.change_issue",
    "newsletter.send_issue",
    "newsletter.view_subscriber",
]

# The digitalization monitor: everyone with the role reads it; the officer also maintains
# the strategy, the device inventory and the answers to inquiries.
_MONITOR_READ = ["monitor.view_metricsnapshot", "monitor.view_auditrun"]
_MONITOR_EDIT = [
    *_MONITOR_READ,
    "monitor.add_metricsnapshot",
    "monitor.view_inquiryanswer",
    "monitor.add_inquiryanswer",
    "monitor.change_inquiryanswer",
    "monitor.release_inquiryanswer",
    *[
        f"monitor.{action}_{model}"
        for model in ("strategy", "goal", "measure", "progressnote", "device", "headcount")
        for action in ("view", "add", "change", "delete")
    ],
]

# app_label.codename, per role. Later pillars add theirs here.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    CITIZEN: [],
    CLERK: [*_CATALOG_READ, *_CASES_WORK],
    OFFICE_LEAD: [
        *_CATALOG_EDIT,
        "catalog.publish_service",
        *_CASES_WORK,
        "cases.export_case",
        *_LETTER_TEMPLATES,
        *_FORMS_EDIT,
    ],
    COUNCIL_MEMBER: [],
    COUNCIL_OFFICE: [*_CATALOG_READ, *_COUNCIL_OFFICE],
    DIGITAL_OFFICER: [
        *_CATALOG_EDIT,
        "catalog.publish_service",
        "catalog.delete_service",
        "catalog.import_services",
        "accounts.change_office",
        "core.add_synonym",
        "core.change_synonym",
        "core.view_synonym",
        *_FORMS_EDIT,
        *_MONITOR_EDIT,
    ],
    ADMINISTRATOR: [
        *_CATALOG_EDIT,
        "catalog.publish_service",
        "catalog.delete_service",
        "catalog.import_services",
        "accounts.add_office",
        "accounts.change_office",
        "accounts.view_office",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
        "core.add_synonym",
        "core.change_synonym",
        "core.view_synonym",
        "core.delete_synonym",
        *_COUNCIL_OFFICE,
        *_FORMS_EDIT,
        *_CASES_WORK,
        "cases.work_all_cases",
        "cases.export_case",
        *_LETTER_TEMPLATES,
        *_NEWS_EDIT,
        *_NEWSLETTER,
        *_MONITOR_EDIT,
    ],
    NEWS_EDITOR: [*_NEWS_EDIT, *_NEWSLETTER],
}


def ensure_roles(**kwargs: Any) -> None:
    """Create or update the role groups; runs after every migrate, so it is idempotent."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # post_migrate runs app by app, and accounts comes before catalog and later pillars:
    # create every app's permissions first, or a fresh database gets empty roles.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    with transaction.atomic():
        for role, perms in ROLE_PERMISSIONS.items():
            group, _created = Group.objects.get_or_create(name=role)
            wanted = []
            for dotted in perms:
                app_label, codename = dotted.split(".")
                perm = Permission.objects.filter(
                    content_type__app_label=app_label, codename=codename
                ).first()
                if perm is not None:
                    wanted.append(perm)
            group.permissions.set(wanted)
