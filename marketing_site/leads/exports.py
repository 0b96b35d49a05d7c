"""What marketing holds about the person (their lead and the contact forms they sent)
in their data export (privacy.export)."""

from collections.abc import Iterator

from privacy.export import ExportItem, json_file, register


def leads_export(user) -> Iterator[ExportItem]:
    from marketing_site.leads.models import Lead, LeadFormSubmission
    from marketing_site.leads.selectors import form_submissions_with_email

    leads = Lead.objects.filter(user=user) | Lead.objects.filter(email__iexact=user.email)
    yield json_file(
        "leads.json",
        [
            {
                "email": lead.email,
                "name": lead.name,
                "interest": lead.interest,
                "message": lead.message,
                "consent_text": lead.consent_text,
                "consent_given_at": lead.consent_given_at,
                "confirmed_at": lead.confirmed_at,
                "unsubscribed_at": lead.unsubscribed_at,
                "source": lead.source,
                "source_page": lead.source_page,
                "campaign": lead.campaign,
                "referrer": lead.referrer,
                "created_at": lead.created_at,
            }
            for lead in leads.distinct()
        ],
    )
    submissions = LeadFormSubmission.objects.filter(
        pk__in=form_submissions_with_email(email=user.email)
    ).select_related("page")
    yield json_file(
        "form_submissions.json",
        [
            {
                "form": submission.page.title,
                "submitted_at": submission.submit_time,
                "answers": submission.form_data,
            }
            for submission in submissions
        ],
    )


def register_exports() -> None:
    register(
        "marketing",
        leads_export,
        models=("leads.Lead", "leads.LeadFormSubmission", "leads.LeadFormSubmissionEmail"),
    )
