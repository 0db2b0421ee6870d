"""Benchmark: submitting an application (target p95 <= 150 ms: stored, receipt queued).

    .venv/bin/python benchmarks/bench_submission.py
    DATABASE_URL=postgres://USER@HOST:5432/rathaus .venv/bin/python benchmarks/bench_submission.py

The demo forms are loaded; N fresh drafts are made, half of them of the residents' parking
permit (signed in, with one or more uploaded PDFs that are copied into the case, fee) and
half of the found-property report (anonymous, no files). Each is submitted with a POST to
`forms:submit` through Django's whole middleware stack (test client, CSRF checks on). The
figure is the `Server-Timing: app;dur=…` header (view, middlewares, the transaction with
its commit and the queueing of the receipt and the mail on the database task backend).

Afterwards every draft must have its case, with its documents, and two tasks per case must
be queued (receipt PDF and confirmation mail); the worker is not run, so the figure is what
the citizen waits for.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time
from typing import Any

from harness import fresh_django, report, summarize

FORMS = ("bewohnerparkausweis", "fundsache-melden")


def make_drafts(n: int, owner: Any) -> list[Any]:
    """n complete drafts, alternating between the two forms, with their uploads stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from tests.forms.helpers import minimal_pdf

    from rathaus.cases.demo import form_data, person
    from rathaus.forms import engine
    from rathaus.forms.models import Draft, FormDefinition
    from rathaus.forms.uploads import accept_upload

    rng = random.Random(20261202)
    pdf = minimal_pdf("Zulassungsbescheinigung Teil I")
    drafts = []
    for i in range(n):
        definition = FormDefinition.objects.get(slug=FORMS[i % 2])
        version = definition.published_version
        signed_in = bool(definition.min_trust_level)
        fields = engine.all_fields(version)
        data = form_data(fields, version.schema, person(rng), timezone.localdate(), rng)
        draft = Draft.objects.create(
            version=version,
            owner=owner if signed_in else None,
            data=data,
            trust_level="niedrig" if signed_in else "",
            expires_at=timezone.now() + dt.timedelta(days=30),
        )
        for f in fields:
            shown = not f.show_if or engine.condition_holds(f.show_if, data)
            if f.widget == "file" and shown and "pdf" in ",".join(f.accept):
                upload = accept_upload(
                    draft,
                    f.name,
                    SimpleUploadedFile(f"{f.name}.pdf", pdf, content_type="application/pdf"),
                    accept=f.accept,
                    max_bytes=int(f.max_mb * 1024 * 1024),
                )
                data[f.name] = [upload.pk]
        draft.data = data
        draft.save(update_fields=["data"])
        problems = engine.validate_all(version, data)
        assert not problems, problems
        drafts.append(draft)
    return drafts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args()
    # The tasks go to the database queue, as in the embedded default.
    os.environ["RATHAUS_TASKS_BACKEND"] = "database"

    with fresh_django("submission") as vendor:
        from django.conf import settings
        from django.contrib.auth.models import Group
        from django.test import Client
        from django.urls import reverse
        from django_tasks_db.models import DBTaskResult

        from rathaus.accounts import roles
        from rathaus.accounts.models import User
        from rathaus.cases.models import Case, CaseDocument
        from rathaus.core.demo import load_demo

        settings.STORAGES["staticfiles"]["BACKEND"] = (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
        load_demo(accounts=False, council_scale=0)
        owner = User.objects.create_user("bench-buergerin", "bench@example.org", "x")
        owner.groups.add(Group.objects.get(name=roles.CITIZEN))
        drafts = make_drafts(args.n, owner)
        anonymous = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
        signed_in = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
        signed_in.force_login(owner)
        samples: dict[str, list[float]] = {slug: [] for slug in FORMS}
        wall: list[float] = []
        started = time.perf_counter()
        for draft in drafts:
            client = signed_in if draft.owner_id else anonymous
            summary = reverse("forms:summary", kwargs={"token": draft.resume_token})
            page = client.get(summary)  # the summary page sets the CSRF cookie, as in a browser
            assert page.status_code == 200, (summary, page.status_code)
            token = client.cookies["csrftoken"].value
            url = reverse("forms:submit", kwargs={"token": draft.resume_token})
            t0 = time.perf_counter()
            response = client.post(url, {"declaration": "1", "csrfmiddlewaretoken": token})
            wall.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 302, (url, response.status_code)
            assert "/eingegangen/" in response["Location"], response["Location"]
            slug = draft.version.definition.slug
            samples[slug].append(float(response.headers["Server-Timing"].split("dur=")[1]))
        elapsed = time.perf_counter() - started

        cases = Case.objects.filter(draft__in=drafts)
        documents = CaseDocument.objects.filter(case__in=cases).count()
        queued = DBTaskResult.objects.count()
        assert cases.count() == len(drafts), (cases.count(), len(drafts))
        assert queued >= 2 * len(drafts), queued
        every = [s for values in samples.values() for s in values]
        report(
            "form_submission",
            {
                "database": vendor,
                "submissions": len(drafts),
                "cases_stored": cases.count(),
                "documents_copied": documents,
                "tasks_queued": queued,
                **summarize(every),
                "per_form": {slug: summarize(values) for slug, values in samples.items()},
                "client_wall": summarize(wall),
                "seconds": round(elapsed, 1),
                "target_p95_ms": 150,
                "load_average_1min": round(os.getloadavg()[0], 1),
            },
        )


if __name__ == "__main__":
    main()
